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
    // `${index} ${alg}` -> the imported CryptoKey, and the import while it runs (resolving to
    // undefined when the runtime refused the key).
    this.ready = new Map();
    this.importing = new Map();
    // `${index} ${alg}` of keys the runtime refused: answered IN_THE_CORE from then on.
    this.refused = new Set();
    // `${alg} ${jwk text}` of DPoP proof keys -> the import of the CryptoKey (a client signs many
    // proofs with one key), least recently used first.
    this.proofKeys = new Map();
    this.pending = [];
  }

  check(keyIndex, alg, signingInput, signature) {
    const params = ALGORITHMS[alg];
    const jwk = this.jwks[keyIndex];
    if (params === undefined || jwk === undefined || jwk.kty !== params.kty) return IN_THE_CORE;
    const id = `${keyIndex} ${alg}`;
    if (this.refused.has(id)) return IN_THE_CORE;
    // Copies: the views point into the core's memory, which the next call may reuse.
    const data = signingInput.slice();
    const sig = signature.slice();
    const verify = (cryptoKey) =>
      this.subtle.verify(params.verify, cryptoKey, sig, data).then(
        (verifies) => verifies === true,
        () => undefined,
      );
    const ready = this.ready.get(id);
    if (ready !== undefined) {
      this.pending.push(verify(ready));
      return DEFERRED;
    }
    let importing = this.importing.get(id);
    if (importing === undefined) {
      importing = this.subtle.importKey('jwk', jwk, params.import, false, ['verify']).then(
        (cryptoKey) => {
          this.ready.set(id, cryptoKey);
          return cryptoKey;
        },
        () => {
          this.refused.add(id);
          return undefined;
        },
      );
      this.importing.set(id, importing);
    }
    this.pending.push(importing.then((cryptoKey) => (cryptoKey === undefined ? undefined : verify(cryptoKey))));
    return DEFERRED;
  }

  /** A DPoP proof's signature with the key of its `jwk` header (JSON text of public members). */
  checkJwk(jwk, alg, signingInput, signature) {
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
    this.pending.push(
      importing.then((cryptoKey) =>
        cryptoKey === undefined
          ? undefined
          : this.subtle.verify(params.verify, cryptoKey, sig, data).then(
              (verifies) => verifies === true,
              () => undefined,
            ),
      ),
    );
    return DEFERRED;
  }

  /**
   * The promise of the answers the core was just told to wait for, in the order it asked (each
   * true, false, or undefined when the runtime could not check), or undefined when it asked for
   * none. Never rejects.
   */
  take() {
    const pending = this.pending;
    if (pending.length === 0) return undefined;
    this.pending = [];
    return Promise.all(pending);
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

