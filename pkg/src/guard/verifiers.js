// jwtward Verifiers, one per distinct route requirement set, over the policy's keys. This is the guard's
// one seam to keys: the engine asks "verify this token for this route" and gets jwtward's verdict, or
// ERR_JWKS_UNAVAILABLE (no keys to verify with: a 503, not a 401).
//
// Every verdict comes from jwtward. A route's requirements (its all-of scopes, its fixed claim values,
// its required claims) are compiled into the options of a jwtward Verifier, so the engine itself checks
// them, in its contract order, with its error codes. Routes with the same requirements share one
// Verifier (the policy compiler gives each route a canonical `requirementKey`), so the demo's three
// routes need two Verifiers, not three, and a Verifier's verified-token cache is shared by every route
// that may use it.
//
// Keys fetched from an issuer come from jwtward's RemoteJwks: one per (issuer, JWK Set URL), shared by
// the Verifiers of every requirement set, so they share one cache, one set of fetches and one
// unknown-kid cooldown (the TTL, background refresh, single flight, stale keys while the issuer is
// down, the store that carries keys across Worker isolates: pkg/README.md, "Keys from the issuer").
// Its events become the guard's audit records (`jwks_fetch_finished`, ...).
//
// Two route checks are not expressible as fixed Verifier options and are done on the verified result in
// pkg/src/guard/engine.js instead: "any of these scopes" (jwtward's requiredScopes means all of them) and
// "claim equals a path parameter" (a per-request value; one Verifier per tenant would re-import the keys
// for every new path value and let any caller grow the cache by inventing paths).

import { JwtError, RemoteJwks, Verifier, lintJwks } from 'jwtward';

// jwtward's lint codes for a key it will never verify with (skipped at parse, or unsound).
const UNUSABLE_KEY_CODES = new Set(['unsupported_key', 'skipped_key', 'unusable_key']);

// An Ed25519 public key from RFC 8037 Appendix A.2. With keys fetched from an issuer, it stands in for
// them once, at startup, so that jwtward checks every requirement set's options before any key has
// been fetched; those Verifiers are freed at once and never verify a token.
const OPTIONS_CHECK_JWKS = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }] };

/** Inline keys in which jwtward can use no key at all: the guard does not start. */
class NoUsableKeyError extends Error {
  constructor() {
    super('jwtward can use none of the keys in the JWK Set [ERR_JWKS_NO_USABLE_KEY]');
    this.name = 'NoUsableKeyError';
    this.code = 'ERR_JWKS_NO_USABLE_KEY';
  }
}

/**
 * The jwtward options of a requirement set, without the keys (undefined options left out). The route's
 * `senderConstraint` is one of its requirements; the DPoP options are the policy's, and every Verifier
 * records accepted proofs in the guard's one replay store, so a proof is accepted once whichever
 * route it is sent to.
 */
function verifierOptions(base, requirements, dpopReplayStore) {
  const options = {
    algorithms: base.algorithms,
    issuer: base.issuer,
    audience: base.audience,
    typ: base.typ,
    clockTolerance: base.clockTolerance,
    maxTokenAge: base.maxTokenAge,
    maxTokenLength: base.maxTokenLength,
    requiredClaims: [...new Set([...base.requiredClaims, ...requirements.requiredClaims])],
    requiredScopes: requirements.requiredScopes,
    scopeClaims: base.scopeClaims,
    claims: { ...base.claims, ...requirements.claims },
    senderConstraint: requirements.senderConstraint,
    dpopAlgorithms: base.dpopAlgorithms,
    dpopIatWindow: base.dpopIatWindow,
    dpopReplayStore,
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return options;
}

/**
 * The key options of every Verifier: the inline set, one shared RemoteJwks, or `issuers` entries each
 * with its RemoteJwks. `keysFor(entry)` gives what stands for an entry's keys (a RemoteJwks, or the
 * options-check set at startup).
 */
function keyOptions(keys, keysFor) {
  if (keys.inline) return { jwks: keysFor(null) };
  if (!keys.issuers) return { jwks: keysFor(keys.remote[0]) };
  return {
    issuers: keys.remote.map((entry) => ({
      issuer: entry.issuer,
      jwks: keysFor(entry),
      ...(entry.audience === undefined ? {} : { audience: entry.audience }),
    })),
  };
}

/**
 * The Verifiers of a compiled policy. Throws at creation for what jwtward refuses (inline keys it
 * cannot use, options it rejects), so a guard that cannot verify never starts.
 * @param {object} policy the compiled policy
 * @param {(fields: object) => void} emit the guard's audit hook (key source events)
 * @param {{ record(key: string, expiresAt: number, now: number): boolean | Promise<boolean> }} dpopReplayStore
 * @returns {{ verify(route: object, token: string, ctx?: { waitUntil?(promise: Promise<unknown>): void },
 *   presentation?: object): Promise<{ verified: object } | { error: JwtError }> }}
 */
function createVerifiers(policy, emit, dpopReplayStore) {
  const routes = policy.fallbackRoute ? [...policy.routes, policy.fallbackRoute] : policy.routes;
  const requirementSets = new Map();
  for (const route of routes) {
    if (!route.public) requirementSets.set(route.requirementKey, route.requirements);
  }
  const { keys } = policy;

  let keysFor;
  if (keys.inline) {
    const unusable = lintJwks(keys.inline).filter((warning) => UNUSABLE_KEY_CODES.has(warning.code)).length;
    if (unusable >= keys.inline.keys.length) throw new NoUsableKeyError();
    keysFor = () => keys.inline;
  } else {
    // jwtward judges every requirement set's options now, with a stand-in key.
    for (const requirements of requirementSets.values()) {
      new Verifier({ ...verifierOptions(policy.verify, requirements, dpopReplayStore), ...keyOptions(keys, () => OPTIONS_CHECK_JWKS) }).free();
    }
    const onEvent = ({ type, ...fields }) => emit({ event: `jwks_${type}`, ...fields });
    const sources = new Map(keys.remote.map((entry) => [entry, new RemoteJwks({
      ...(entry.issuer === undefined ? {} : { issuer: entry.issuer }),
      ...(entry.discovery ? { discovery: true } : { jwksUri: entry.jwksUri }),
      ...keys.cache,
      onEvent,
    })]));
    keysFor = (entry) => sources.get(entry);
  }
  const verifiers = new Map();
  for (const [key, requirements] of requirementSets) {
    verifiers.set(key, new Verifier({ ...verifierOptions(policy.verify, requirements, dpopReplayStore), ...keyOptions(keys, keysFor) }));
  }

  return {
    // verifyAsync: WebCrypto does the signature arithmetic (RSA, ECDSA, Ed25519) in Workers, OpenSSL in
    // Node, jwtward's core everything else; remote keys are fetched when they must be, and background
    // work (a refresh near expiry, a store write) goes to the Worker's ctx.waitUntil when there is one.
    // `presentation`: the DPoP proof and client certificate of the request (sender.js), if any.
    async verify(route, token, ctx, presentation) {
      let options = presentation;
      if (typeof ctx?.waitUntil === 'function') options = { ...presentation, waitUntil: (promise) => ctx.waitUntil(promise) };
      try {
        return { verified: await verifiers.get(route.requirementKey).verifyAsync(token, options) };
      } catch (error) {
        if (error instanceof JwtError) return { error };
        throw error;
      }
    },
  };
}

export { NoUsableKeyError, createVerifiers };
