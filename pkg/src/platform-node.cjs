// Node's signature arithmetic for the core (see src/wasm/mod.rs `Platform`): OpenSSL through
// node:crypto, synchronously, with one KeyObject per JWK created when the Verifier is built.
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
// RSA ~10x, ECDSA ~9x). Ed25519 stays in the core: ed25519-dalek in wasm is as fast as
// OpenSSL once the call overhead is counted, and HMAC secrets never leave the core.
const ALGORITHMS = {
  RS256: { digest: 'sha256' },
  RS384: { digest: 'sha384' },
  RS512: { digest: 'sha512' },
  PS256: { digest: 'sha256', padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  PS384: { digest: 'sha384', padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
  PS512: { digest: 'sha512', padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 },
  ES256: { digest: 'sha256', dsaEncoding: 'ieee-p1363' },
  ES384: { digest: 'sha384', dsaEncoding: 'ieee-p1363' },
  ES512: { digest: 'sha512', dsaEncoding: 'ieee-p1363' },
};

class NodePlatform {
  /** @param {{ index: number, jwk: object }[]} keys the core's public keys */
  constructor(keys) {
    // index -> { alg -> the `key` argument of crypto.verify }
    this.keys = [];
    for (const { index, jwk } of keys) {
      if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue;
      let keyObject;
      try {
        keyObject = crypto.createPublicKey({ key: jwk, format: 'jwk' });
      } catch {
        continue; // OpenSSL refuses a key the core accepted: the core checks its tokens.
      }
      const byAlg = Object.create(null);
      for (const [alg, params] of Object.entries(ALGORITHMS)) {
        const { digest, ...options } = params;
        byAlg[alg] = { digest, key: { key: keyObject, ...options } };
      }
      this.keys[index] = byAlg;
    }
  }

  check(keyIndex, alg, signingInput, signature) {
    const use = this.keys[keyIndex]?.[alg];
    if (use === undefined) return IN_THE_CORE;
    try {
      return crypto.verify(use.digest, signingInput, use.key, signature) ? VERIFIES : DOES_NOT_VERIFY;
    } catch {
      return IN_THE_CORE;
    }
  }
}

/** The `platform` hook of createApi for Node: synchronous node:crypto, nothing asynchronous. */
function nodePlatform(keys) {
  return { sync: new NodePlatform(keys) };
}

/** The cache key of a token: SHA-256, base64 (one-shot `crypto.hash` where Node has it). */
const digest =
  typeof crypto.hash === 'function'
    ? (token) => crypto.hash('sha256', token, 'base64')
    : (token) => crypto.createHash('sha256').update(token).digest('base64');

module.exports = { nodePlatform, digest };
