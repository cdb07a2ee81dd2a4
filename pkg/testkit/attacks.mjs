// Test corpus: signature-encoding attacks and look-alikes for every public-key algorithm, used to
// check that every signature path (the core, node:crypto, WebCrypto in Node, workerd and Chromium)
// gives the same verdict. Generated at run time from fresh keys (jose signs the originals).
import crypto from 'node:crypto';

import { ALGORITHMS, NOW, b64url, sign } from './keys.mjs';

export const PUBLIC_KEY_ALGS = ALGORITHMS.filter((alg) => !alg.startsWith('HS'));

const ORDERS = {
  ES256: 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
  ES384: 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
  ES512: '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
};
const ED25519_ORDER = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');
const SMALL_ORDER_R = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
];

const toBig = (bytes) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
function fromBig(value, length) {
  const hex = value.toString(16).padStart(length * 2, '0');
  return hex.length > length * 2 ? undefined : Buffer.from(hex, 'hex');
}
const littleToBig = (bytes) => toBig(Buffer.from(bytes).reverse());
const bigToLittle = (value) => fromBig(value, 32)?.reverse();

/** Signature variants of one valid token: [name, signature bytes]. */
function signatureVariants(alg, signature, jwk) {
  const out = [['as signed', signature]];
  for (const at of [0, 1, signature.length >> 1, signature.length - 1]) {
    const flipped = Buffer.from(signature);
    flipped[at] ^= 0x01;
    out.push([`bit flipped at ${at}`, flipped]);
  }
  out.push(['all zero', Buffer.alloc(signature.length)]);
  out.push(['all 0xff', Buffer.alloc(signature.length, 0xff)]);
  out.push(['one byte short', signature.subarray(1)]);
  out.push(['leading zero added', Buffer.concat([Buffer.alloc(1), signature])]);
  out.push(['trailing zero added', Buffer.concat([signature, Buffer.alloc(1)])]);
  if (alg.startsWith('ES')) {
    const half = signature.length / 2;
    const n = BigInt(`0x${ORDERS[alg]}`);
    const r = toBig(signature.subarray(0, half));
    const s = toBig(signature.subarray(half));
    const pair = (rv, sv) => {
      const rb = fromBig(rv, half);
      const sb = fromBig(sv, half);
      return rb && sb ? Buffer.concat([rb, sb]) : undefined;
    };
    for (const [name, rv, sv] of [
      ['r = 0', 0n, s], ['s = 0', r, 0n], ['r = s = 0', 0n, 0n], ['r = n', n, s], ['s = n', r, n],
      ['high S (n - s): valid', r, n - s], ['r + n', r + n, s], ['s + n', r, s + n], ['r = 1', 1n, s],
      ['s = n - 1', r, n - 1n],
    ]) {
      const sig = pair(rv, sv);
      if (sig) out.push([name, sig]);
    }
  } else if (alg.startsWith('RS') || alg.startsWith('PS')) {
    const modulus = Buffer.from(jwk.n, 'base64url');
    const n = toBig(modulus);
    out.push(['signature = n', modulus]);
    out.push(['signature = n - 1', fromBig(n - 1n, modulus.length)]);
    out.push(['signature = n + s', fromBig(n + toBig(signature), modulus.length + 1)]);
    out.push(['signature = 1', fromBig(1n, modulus.length)]);
  } else {
    const s = littleToBig(signature.subarray(32));
    const l = littleToBig(ED25519_ORDER);
    const withS = (value) => {
      const bytes = bigToLittle(value);
      return bytes && Buffer.concat([signature.subarray(0, 32), bytes]);
    };
    out.push(['S + L', withS(s + l)]);
    out.push(['S = L', withS(l)]);
    out.push(['S = 0', withS(0n)]);
    for (const r of SMALL_ORDER_R) {
      out.push([`small-order R ${r.slice(0, 8)}`, Buffer.concat([Buffer.from(r, 'hex'), signature.subarray(32)])]);
    }
  }
  return out.filter(([, sig]) => sig !== undefined);
}

/**
 * Tokens for every public-key algorithm with signature-encoding attacks, wrong keys, algorithm
 * swaps and claim failures: `[name, token, verifierOptions, now?]`, JSON-serialisable (the workerd
 * and Chromium tests send them into the runtime). `keys` and `otherKeys` come from makeKeys.
 */
export async function attackCases(keys, otherKeys) {
  const cases = [];
  const claims = { sub: 'client', iss: 'https://issuer.example', exp: NOW + 600, iat: NOW - 10 };
  const noAlg = (jwk) => {
    const { alg: _alg, ...rest } = jwk;
    return rest;
  };
  for (const alg of PUBLIC_KEY_ALGS) {
    const key = keys[alg];
    const token = await sign(key, claims);
    const [h, p, s] = token.split('.');
    const options = { jwks: { keys: [key.jwk] }, issuer: 'https://issuer.example' };
    for (const [name, sig] of signatureVariants(alg, Buffer.from(s, 'base64url'), key.jwk)) {
      cases.push([`${alg} ${name}`, `${h}.${p}.${sig.toString('base64url')}`, options]);
    }
    cases.push([`${alg} payload tampered`, `${h}.${b64url({ ...claims, sub: 'admin' })}.${s}`, options]);
    cases.push([`${alg} other key, same kid`, token, { ...options, jwks: { keys: [{ ...otherKeys[alg].jwk, kid: key.kid }] } }]);
    cases.push([`${alg} expired`, token, options, NOW + 601]);
    cases.push([`${alg} wrong issuer`, token, { ...options, issuer: 'https://other.example' }]);
    // The same signature under another algorithm of the family (the key carries no `alg`).
    const family = PUBLIC_KEY_ALGS.filter((other) => other !== alg && other.slice(0, 2) === alg.slice(0, 2));
    const swapFamily = alg.startsWith('RS') ? ['PS256', 'PS384', 'PS512'] : alg.startsWith('PS') ? ['RS256'] : [];
    for (const other of [...family, ...swapFamily]) {
      const header = b64url({ alg: other, kid: key.kid });
      cases.push([`${alg} signature relabelled ${other}`, `${header}.${p}.${s}`, { ...options, jwks: { keys: [noAlg(key.jwk)] } }]);
    }
    // Algorithm confusion: the public key's bytes used as an HMAC secret.
    const secret = Buffer.from(JSON.stringify(key.jwk));
    const confused = `${b64url({ alg: 'HS256', kid: key.kid })}.${p}`;
    const mac = crypto.createHmac('sha256', secret).update(confused).digest('base64url');
    cases.push([`${alg} key as HMAC secret`, `${confused}.${mac}`, options]);
  }
  return cases;
}


/**
 * The source of `compareVerdicts(api, cases)`, to embed in a Worker or a page: each case through
 * `verify` (the core), `verifyAsync` (WebCrypto where the runtime has it) and `verifyAsync` with
 * `backend: 'wasm'`; returns `[name, { sync, async, wasm }]` verdict strings.
 */
export const COMPARE_VERDICTS_SOURCE = `async function compareVerdicts(api, cases) {
  const verdict = async (options, call) => {
    let verifier;
    try {
      verifier = new api.Verifier(options);
    } catch (error) {
      return 'config ' + error.code;
    }
    try {
      await call(verifier);
      return 'valid';
    } catch (error) {
      if (!(error instanceof api.JwtError)) throw error;
      return error.code + ': ' + error.message;
    } finally {
      verifier.free();
    }
  };
  const out = [];
  for (const [name, token, options, now = ${NOW}] of cases) {
    out.push([name, {
      sync: await verdict(options, (v) => v.verify(token, { now })),
      async: await verdict(options, (v) => v.verifyAsync(token, { now })),
      wasm: await verdict({ ...options, backend: 'wasm' }, (v) => v.verifyAsync(token, { now })),
    }]);
  }
  return out;
}`;

/** The cases whose verdicts differ between paths, as readable lines (empty: all agree). */
export function differences(compared) {
  return compared
    .filter(([, got]) => new Set(Object.values(got)).size !== 1)
    .map(([name, got]) => `${name}: ${JSON.stringify(got)}`);
}
