// Whether a fetched document may replace the keys a key source verifies with. The core judges
// the JWK Set (its strict parser, and its lint for keys that can never verify); this file only
// turns that judgement into a yes or a FetchFailure with a stable reason. A refused document
// never replaces keys that work.
//
// ES module source with the restricted syntax of errors.js (the build writes a CommonJS copy).

import { FetchFailure, ownMember, parseJsonObject } from './fetch.js';

// The core's lint codes for a key it will never verify with: skipped at parsing (unsupported
// or malformed), unsound or restricted away from verification, an encryption key, or an RSA key
// under 2048 bits / with the ROCA flaw (`weak_rsa_key`: refused, or broken beyond use).
const UNUSABLE = new Set(['unsupported_key', 'skipped_key', 'unusable_key', 'encryption_key', 'weak_rsa_key']);

/**
 * Judges a JWK Set document for a key source.
 * @param {string} text the document
 * @param {(jwks: object | string) => { code: string }[]} lint the core's `lintJwks`
 * @param {number} [status] the HTTP status, for the failure
 * @returns {{ kids: string[] }} the `kid`s of its keys (for events)
 * @throws {FetchFailure} 'not_json', 'not_jwks', 'private_key' (a private or secret key was
 *   published: the set is refused whole), 'no_usable_key'
 */
function judgeJwks(text, lint, status) {
  const jwks = parseJsonObject(text, status);
  const keys = ownMember(jwks, 'keys');
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new FetchFailure('not_jwks', 'not a JWK Set with at least one key', status);
  }
  try {
    // The core's strict parse of the whole document (duplicate members, ...).
    lint(text);
  } catch {
    throw new FetchFailure('not_jwks', 'the core refused the JWK Set', status);
  }
  let usable = 0;
  for (const key of keys) {
    // A symmetric secret published at a URL is known to everyone who can fetch it.
    if (key !== null && typeof key === 'object' && ownMember(key, 'kty') === 'oct') {
      throw new FetchFailure('private_key', 'the JWK Set publishes a symmetric secret', status);
    }
    const codes = lint({ keys: [key] }).map((warning) => warning.code);
    if (codes.includes('private_members')) {
      throw new FetchFailure('private_key', 'the JWK Set publishes private key members', status);
    }
    if (!codes.some((code) => UNUSABLE.has(code))) usable += 1;
  }
  if (usable === 0) throw new FetchFailure('no_usable_key', 'no key of the JWK Set can verify a token', status);
  return {
    kids: keys.map((key) => {
      const kid = key !== null && typeof key === 'object' ? ownMember(key, 'kid') : undefined;
      return typeof kid === 'string' ? kid.slice(0, 64) : null;
    }),
  };
}

export { judgeJwks };
