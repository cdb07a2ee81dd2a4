// Test helpers: keys and tokens for every algorithm, signed by npm `jose` (an independent
// implementation, so a token that verifies here was not produced by the code under test).
//
// Lives outside pkg/test/ because `node --test pkg/test/` runs every .mjs file under that folder.

import { KeyObject, constants, createHmac, randomBytes, sign as cryptoSign } from 'node:crypto';
import * as jose from 'jose';

/** Every algorithm jwtward supports, with the key jose needs for it. */
export const ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

export const NOW = 1_750_000_000;

export function b64url(input) {
  return Buffer.from(typeof input === 'string' ? input : JSON.stringify(input)).toString('base64url');
}

/**
 * One signing key per algorithm: `{ alg, kid, privateKey, jwk }` where jwk is the public JWK
 * (secret for HS*) carrying `kid` and `alg`.
 */
export async function makeKeys(algorithms = ALGORITHMS) {
  const keys = {};
  for (const alg of algorithms) {
    const kid = `key-${alg}`;
    if (alg.startsWith('HS')) {
      const secret = randomBytes(Number(alg.slice(2)) / 8);
      keys[alg] = {
        alg,
        kid,
        privateKey: secret,
        jwk: { kty: 'oct', k: secret.toString('base64url'), alg, kid },
      };
      continue;
    }
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, {
      extractable: true,
      ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}),
    });
    const jwk = { ...(await jose.exportJWK(publicKey)), alg, kid };
    keys[alg] = { alg, kid, privateKey, publicKey, jwk };
  }
  return keys;
}

export function jwksOf(keys) {
  return { keys: Object.values(keys).map((key) => key.jwk) };
}

/** A JWT signed by jose. `header` adds protected header members. */
export async function sign(key, payload, header = {}) {
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

/**
 * A token signed with node:crypto for any header (jose refuses to sign some headers, e.g. an
 * unrecognised `crit`): the signature is valid for the key's algorithm.
 */
export function signRaw(key, header, payload) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const bits = key.alg.startsWith('Ed') ? 0 : Number(key.alg.slice(2));
  const hash = `sha${bits === 512 ? 512 : bits === 384 ? 384 : 256}`;
  const data = Buffer.from(input);
  let signature;
  if (key.alg.startsWith('HS')) {
    signature = createHmac(hash, key.privateKey).update(input).digest();
  } else {
    const privateKey = key.privateKey instanceof KeyObject ? key.privateKey : KeyObject.from(key.privateKey);
    if (key.alg.startsWith('RS')) signature = cryptoSign(hash, data, privateKey);
    else if (key.alg.startsWith('PS')) {
      signature = cryptoSign(hash, data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: bits / 8 });
    } else if (key.alg.startsWith('ES')) {
      signature = cryptoSign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    } else signature = cryptoSign(null, data, privateKey);
  }
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * The token with its signature changed but still canonical base64url: the first character of the
 * signature carries 6 whole bits, so swapping it never creates non-zero padding bits (the last
 * character could, which a strict decoder reports as malformed rather than as a bad signature).
 */
export function tamper(token) {
  const [h, p, s] = token.split('.');
  return `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
}

/** An HS256 token built by hand (fast; any header/payload, even ones jose refuses to sign). */
export function hs256(secret, header, payload) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const mac = createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${mac}`;
}

/** A JWK Set with one HS256 secret (32 bytes), and a signer for it. */
export function hs256Fixture(kid = 'hs') {
  const secret = randomBytes(32);
  return {
    secret,
    jwks: { keys: [{ kty: 'oct', k: secret.toString('base64url'), alg: 'HS256', kid }] },
    token: (payload, header = {}) => hs256(secret, { alg: 'HS256', kid, ...header }, payload),
  };
}

export { jose };
