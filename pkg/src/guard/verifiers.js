// jwtward Verifiers, one per distinct route requirement set, per key set.
//
// Every verdict comes from jwtward. A route's requirements (its all-of scopes, its fixed claim values,
// its required claims) are compiled into the options of a jwtward Verifier, so the engine itself checks
// them, in its contract order, with its error codes. Routes with the same requirements share one
// Verifier (the policy compiler gives each route a canonical `requirementKey`), so the demo's three
// routes need two Verifiers, not three, and a Verifier's verified-token cache is shared by every route
// that may use it.
//
// A Verifier imports its keys once, at construction. When the key set changes (rotation), a new set of
// Verifiers is built for it first; only if jwtward accepts the new keys with every requirement set does
// the swap happen and the old Verifiers get freed. So the same engine that verifies tokens is the judge
// of a JWKS response, and a response it rejects never replaces keys that work.
//
// Two route checks are not expressible as fixed Verifier options and are done on the verified result in
// pkg/src/guard/engine.js instead: "any of these scopes" (jwtward's requiredScopes means all of them) and
// "claim equals a path parameter" (a per-request value; one Verifier per tenant would re-import the keys
// for every new path value and let any caller grow the cache by inventing paths).

import { Verifier, lintJwks } from 'jwtward';

// jwtward's lint codes for a key it will never verify with (skipped at parse, or unsound).
const UNUSABLE_KEY_CODES = new Set(['unsupported_key', 'skipped_key', 'unusable_key']);

/** A JWK Set in which jwtward can use no key at all: never installed (an issuer glitch, not a rotation). */
class NoUsableKeyError extends Error {
  constructor() {
    super('jwtward can use none of the keys in the JWK Set [ERR_JWKS_NO_USABLE_KEY]');
    this.name = 'NoUsableKeyError';
    this.code = 'ERR_JWKS_NO_USABLE_KEY';
  }
}

class VerifierSet {
  /**
   * @param {object} policy the compiled policy
   */
  constructor(policy) {
    this.base = policy.verify;
    // Every distinct requirement set the policy can ask for, built eagerly for each key set.
    const routes = policy.fallbackRoute ? [...policy.routes, policy.fallbackRoute] : policy.routes;
    this.requirementSets = new Map();
    for (const route of routes) {
      if (!route.public) this.requirementSets.set(route.requirementKey, route.requirements);
    }
    this.version = 0;
    this.verifiers = new Map();
  }

  /** The jwtward options for one requirement set (undefined options are left out, not passed). */
  options(jwks, requirements) {
    const b = this.base;
    const options = {
      jwks,
      algorithms: b.algorithms,
      issuer: b.issuer,
      audience: b.audience,
      typ: b.typ,
      clockTolerance: b.clockTolerance,
      maxTokenAge: b.maxTokenAge,
      maxTokenLength: b.maxTokenLength,
      requiredClaims: [...new Set([...b.requiredClaims, ...requirements.requiredClaims])],
      requiredScopes: requirements.requiredScopes,
      scopeClaims: b.scopeClaims,
      claims: { ...b.claims, ...requirements.claims },
    };
    for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
    return options;
  }

  /**
   * Builds the Verifiers for a key set without installing them. Throws jwtward's construction error
   * (ERR_JWKS_INVALID / ERR_OPTIONS_INVALID) if any requirement set rejects the keys, and
   * NoUsableKeyError when jwtward's lint says none of the keys can verify anything.
   * @param {object} jwks a parsed JWK Set
   * @returns {Map<string, Verifier>}
   */
  build(jwks) {
    const unusable = lintJwks(jwks).filter((warning) => UNUSABLE_KEY_CODES.has(warning.code)).length;
    if (unusable >= jwks.keys.length) throw new NoUsableKeyError();
    const built = new Map();
    try {
      for (const [key, requirements] of this.requirementSets) built.set(key, new Verifier(this.options(jwks, requirements)));
    } catch (error) {
      for (const verifier of built.values()) verifier.free();
      throw error;
    }
    return built;
  }

  /** Installs Verifiers from build() and frees the previous ones. Returns the new version number. */
  install(built) {
    // A request may be awaiting verifyAsync() on an old Verifier: jwtward's free() waits for such
    // checks to settle before it releases the memory, so freeing them now is safe.
    for (const verifier of this.verifiers.values()) verifier.free();
    this.verifiers = built;
    this.version += 1;
    return this.version;
  }

  /** The Verifier for a (non-public) route under the current key set, or null before any keys. */
  get(route) {
    return this.verifiers.get(route.requirementKey) ?? null;
  }
}

export { NoUsableKeyError, VerifierSet };
