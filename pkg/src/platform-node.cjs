// Node's signature arithmetic for the core (see src/wasm/mod.rs `Platform`): OpenSSL through
// node:crypto, synchronously, with one KeyObject per JWK, created the first time it is used.
//
// The core has already chosen the key (from the configured JWK Set, never from the token),
// bound it to the algorithm and checked the signature's encoding (length, r/s range, below the
// modulus); this file only runs the arithmetic and answers 1 (verifies) or 0 (does not). Any
// key or algorithm it does not take, or any exception, answers 2: the core then checks the
// signature itself, so the verdict is always the core's.
'use strict';

const crypto = require('node:crypto');

const VERIFIES = 1;
const DOES_NOT_VERIFY = 0;
const IN_THE_CORE = 2;

// The algorithms OpenSSL does faster than the core in WebAssembly (measured by `npm run bench`:
// RSA ~8x, ECDSA ~8x, Ed25519 ~1.2x once the call overhead is counted). HMAC secrets never leave
// the core.
const PSS = crypto.constants.RSA_PKCS1_PSS_PADDING;
const ALGORITHMS = {
  RS256: { kty: 'RSA', digest: 'sha256' },
  RS384: { kty: 'RSA', digest: 'sha384' },
  RS512: { kty: 'RSA', digest: 'sha512' },
  PS256: { kty: 'RSA', digest: 'sha256', options: { padding: PSS, saltLength: 32 } },
  PS384: { kty: 'RSA', digest: 'sha384', options: { padding: PSS, saltLength: 48 } },
  PS512: { kty: 'RSA', digest: 'sha512', options: { padding: PSS, saltLength: 64 } },
  ES256: { kty: 'EC', digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { kty: 'EC', digest: 'sha384', options: { dsaEncoding: 'ieee-p1363' } },
  ES512: { kty: 'EC', digest: 'sha512', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { kty: 'OKP', digest: null },
  Ed25519: { kty: 'OKP', digest: null },
};

// KeyObjects of DPoP proof keys kept per verifier (one per client that sends proofs).
const PROOF_KEYS = 256;

class NodePlatform {
  /** @param {{ index: number, jwk: object }[]} keys the core's public keys */
  constructor(keys) {
    this.jwks = [];
    for (const { index, jwk } of keys) this.jwks[index] = jwk;
    // Filled on first use: a JWK Set may hold many keys, and a KeyObject costs an OpenSSL import.
    // index -> KeyObject, or null when OpenSSL refuses the key (the core checks its tokens).
    this.keyObjects = [];
    // index -> { alg -> { digest, key: the `key` argument of crypto.verify } }
    this.keys = [];
    // JWK text of a DPoP proof's key -> KeyObject, least recently used first.
    this.proofKeys = new Map();
  }

  check(keyIndex, alg, signingInput, signature) {
    const use = this.keys[keyIndex]?.[alg] ?? this.#prepare(keyIndex, alg);
    if (use === undefined) return IN_THE_CORE;
    try {
      return crypto.verify(use.digest, signingInput, use.key, signature) ? VERIFIES : DOES_NOT_VERIFY;
    } catch {
      return IN_THE_CORE;
    }
  }

  /**
   * A DPoP proof's signature, with the key from its `jwk` header (the JSON text of its public
   * members, checked by the core first). Clients sign many proofs with one key: the KeyObjects
   * of the last few keys are kept.
   */
  checkJwk(jwk, alg, signingInput, signature) {
    const params = ALGORITHMS[alg];
    if (params === undefined) return IN_THE_CORE;
    let keyObject = this.proofKeys.get(jwk);
    if (keyObject === undefined) {
      try {
        keyObject = crypto.createPublicKey({ key: JSON.parse(jwk), format: 'jwk' });
      } catch {
        return IN_THE_CORE;
      }
      if (this.proofKeys.size >= PROOF_KEYS) this.proofKeys.delete(this.proofKeys.keys().next().value);
    } else {
      this.proofKeys.delete(jwk);
    }
    this.proofKeys.set(jwk, keyObject);
    const key = params.options === undefined ? keyObject : { key: keyObject, ...params.options };
    try {
      return crypto.verify(params.digest, signingInput, key, signature) ? VERIFIES : DOES_NOT_VERIFY;
    } catch {
      return IN_THE_CORE;
    }
  }

  #prepare(keyIndex, alg) {
    const params = ALGORITHMS[alg];
    const jwk = this.jwks[keyIndex];
    if (params === undefined || jwk === undefined || jwk.kty !== params.kty) return undefined;
    let keyObject = this.keyObjects[keyIndex];
    if (keyObject === undefined) {
      try {
        keyObject = crypto.createPublicKey({ key: jwk, format: 'jwk' });
      } catch {
        keyObject = null;
      }
      this.keyObjects[keyIndex] = keyObject;
    }
    if (keyObject === null) return undefined;
    const key = params.options === undefined ? keyObject : { key: keyObject, ...params.options };
    const byAlg = (this.keys[keyIndex] ??= Object.create(null));
    return (byAlg[alg] = { digest: params.digest, key });
  }
}

/** The `platform` hook of createApi for Node: synchronous node:crypto, nothing asynchronous. */
function nodePlatform(keys) {
  return { sync: new NodePlatform(keys) };
}

/** The cache key of a token: its SHA-256 as a 32-character binary string (one-shot `crypto.hash`
 * where Node has it). */
const digest =
  typeof crypto.hash === 'function'
    ? (token) => crypto.hash('sha256', token, 'latin1')
    : (token) => crypto.createHash('sha256').update(token).digest('latin1');

module.exports = { nodePlatform, digest };
