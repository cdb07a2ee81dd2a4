// WebCrypto's signature arithmetic for the core, for `verifyAsync` in Workers and browsers (see
// src/wasm/mod.rs `Platform`). WebCrypto is asynchronous, so the core defers: it finishes every
// other check and returns the verdict for either answer; this file starts `subtle.verify` and
// keeps its promise for the package to await (`take()`).
//
// The core has already chosen the key (from the configured JWK Set, never from the token),
// bound it to the algorithm and checked the signature's encoding (length, r/s range, below the
// modulus, S < L and R not of small order for Ed25519). A key the runtime cannot import (P-521
// or Ed25519 in an older runtime, say) resolves to `undefined`, and the core checks that token
// itself; after that, the key is left to the core synchronously.
//
// A DPoP proof's signature comes here too (`checkJwk`: the key from the proof's `jwk` header,
// checked by the core first). One verification may then wait on two answers, the token's and
// the proof's, in that order: `take()` gives the promise of both.
//
// The core's verdict for answers that are not all "verifies" is asked for again, once the
// answers are known (`answer(...)`, then the same core call): a refusal is rare, and building it
// for every token was a good part of verifyAsync's own cost.

const DOES_NOT_VERIFY = 0;
const VERIFIES = 1;
const IN_THE_CORE = 2;
const DEFERRED = 3;

// import parameters and verify parameters per JOSE algorithm.
const ALGORITHMS = {
  RS256: rsa('RSASSA-PKCS1-v1_5', 'SHA-256'),
  RS384: rsa('RSASSA-PKCS1-v1_5', 'SHA-384'),
  RS512: rsa('RSASSA-PKCS1-v1_5', 'SHA-512'),
  PS256: rsa('RSA-PSS', 'SHA-256', 32),
  PS384: rsa('RSA-PSS', 'SHA-384', 48),
  PS512: rsa('RSA-PSS', 'SHA-512', 64),
  ES256: ecdsa('P-256', 'SHA-256'),
  ES384: ecdsa('P-384', 'SHA-384'),
  ES512: ecdsa('P-521', 'SHA-512'),
  EdDSA: { kty: 'OKP', import: { name: 'Ed25519' }, verify: { name: 'Ed25519' } },
  Ed25519: { kty: 'OKP', import: { name: 'Ed25519' }, verify: { name: 'Ed25519' } },
};

function rsa(name, hash, saltLength) {
  const verify = saltLength === undefined ? { name } : { name, saltLength };
  return { kty: 'RSA', import: { name, hash }, verify };
}

function ecdsa(namedCurve, hash) {
  return { kty: 'EC', import: { name: 'ECDSA', namedCurve }, verify: { name: 'ECDSA', hash } };
}

class WebCryptoPlatform {
  /**
   * @param {{ index: number, jwk: object }[]} keys the core's public keys
   * @param {SubtleCrypto} subtle
   */
  constructor(keys, subtle) {
    this.subtle = subtle;
    this.jwks = [];
    for (const { index, jwk } of keys) this.jwks[index] = jwk;
    // index -> { ready: { alg -> the imported CryptoKey, or null when the runtime refused it
    // (IN_THE_CORE from then on) }, importing: { alg -> the import while it runs } }. Arrays and
    // objects rather than `${index} ${alg}` strings: this is looked up for every token.
    this.keys = [];
    // `${alg} ${jwk text}` of DPoP proof keys -> the import of the CryptoKey (a client signs many
    // proofs with one key), least recently used first.
    this.proofKeys = new Map();
    this.pending = [];
    // Answers already known, given back to the core in order instead of asking WebCrypto again.
    this.known = undefined;
  }

  check(keyIndex, alg, signingInput, signature) {
    if (this.known !== undefined) return this.#known();
    const params = ALGORITHMS[alg];
    const jwk = this.jwks[keyIndex];
    if (params === undefined || jwk === undefined || jwk.kty !== params.kty) return IN_THE_CORE;
    const key = (this.keys[keyIndex] ??= { ready: {}, importing: {} });
    const ready = key.ready[alg];
    if (ready === null) return IN_THE_CORE;
    // Copies: the views point into the core's memory, which the next call may reuse.
    const data = signingInput.slice();
    const sig = signature.slice();
    if (ready !== undefined) {
      // The common case: the key is imported, and the answer is WebCrypto's own promise.
      this.pending.push(this.subtle.verify(params.verify, ready, sig, data));
      return DEFERRED;
    }
    const importing = (key.importing[alg] ??= this.subtle.importKey('jwk', jwk, params.import, false, ['verify']).then(
      (cryptoKey) => (key.ready[alg] = cryptoKey),
      () => {
        key.ready[alg] = null;
        return undefined;
      },
    ));
    this.pending.push(importing.then((cryptoKey) => (cryptoKey === undefined ? undefined : this.subtle.verify(params.verify, cryptoKey, sig, data))));
    return DEFERRED;
  }

  /** The next known answer (see `answer`), as the core's check expects it. */
  #known() {
    const verifies = this.known.shift();
    return verifies === true ? VERIFIES : verifies === false ? DOES_NOT_VERIFY : IN_THE_CORE;
  }

  /**
   * Makes the next checks answer `answers` (true, false or undefined each, in the order the core
   * asks) at once, for a core call that gives the verdict on answers already known; `answer()`
   * afterwards goes back to WebCrypto.
   */
  answer(answers) {
    this.known = answers === undefined ? undefined : [...answers];
  }

  /** A DPoP proof's signature with the key of its `jwk` header (JSON text of public members). */
  checkJwk(jwk, alg, signingInput, signature) {
    if (this.known !== undefined) return this.#known();
    const params = ALGORITHMS[alg];
    if (params === undefined) return IN_THE_CORE;
    const id = `${alg} ${jwk}`;
    let importing = this.proofKeys.get(id);
    if (importing === undefined) {
      let members;
      try {
        members = JSON.parse(jwk);
      } catch {
        return IN_THE_CORE;
      }
      if (members.kty !== params.kty) return IN_THE_CORE;
      importing = this.subtle.importKey('jwk', members, params.import, false, ['verify']).then(
        (cryptoKey) => cryptoKey,
        () => undefined,
      );
      if (this.proofKeys.size >= PROOF_KEYS) this.proofKeys.delete(this.proofKeys.keys().next().value);
    } else {
      this.proofKeys.delete(id);
    }
    this.proofKeys.set(id, importing);
    const data = signingInput.slice();
    const sig = signature.slice();
    this.pending.push(importing.then((cryptoKey) => (cryptoKey === undefined ? undefined : this.subtle.verify(params.verify, cryptoKey, sig, data))));
    return DEFERRED;
  }

  /**
   * The answers the core was just told to wait for, in the order it asked: undefined when it
   * asked for none; else an array of promises, each resolving to true, false or undefined (the
   * runtime could not check), or rejecting (WebCrypto failed: the core checks).
   */
  take() {
    const pending = this.pending;
    if (pending.length === 0) return undefined;
    this.pending = [];
    return pending;
  }
}

// CryptoKeys of DPoP proof keys kept per verifier (one per client that sends proofs).
const PROOF_KEYS = 256;

/**
 * The `platform` hook of createApi where WebCrypto exists (Workers, browsers in a secure
 * context): nothing synchronous, WebCrypto for `verifyAsync`. Elsewhere, no platform. `subtle`
 * is a parameter for tests (a SubtleCrypto that refuses keys, say).
 */
export function webCryptoPlatform(keys, subtle = globalThis.crypto?.subtle) {
  if (subtle === undefined) return {};
  return { async: new WebCryptoPlatform(keys, subtle) };
}

