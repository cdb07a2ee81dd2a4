// Interop with npm `jose` (jwtVerify + createLocalJWKSet): tokens jose signs verify for every
// algorithm with identical header and payload, and every token jose rejects is rejected too.
// Differences are listed below with their RFC reason; the test checks they still hold, so the
// lists cannot go stale.
import assert from 'node:assert/strict';
import { generateKeyPairSync, createSign } from 'node:crypto';
import { test } from 'node:test';

import { JwtError, Verifier } from 'jwtward';
import { ALGORITHMS, NOW, b64url, hs256, jose, jwksOf, makeKeys, sign, signRaw } from '../testkit/keys.mjs';

/** Cases where jose accepts and jwtward rejects, on purpose. */
const STRICTER = {
  'aud present, no audience configured':
    'RFC 7519 §4.1.3: a JWT whose aud does not identify the recipient MUST be rejected; ' +
    'jose only checks aud when an audience option is given',
  'iat in the future':
    'RFC 7519 §4.1.6 / RFC 9068 §4: a token issued after now (beyond the tolerance) is not ' +
    'plausible; jose only reads iat for maxTokenAge',
};

/** Cases where jose rejects and jwtward accepts. None so far; add one only with its RFC reason. */
const LOOSER = {};

const keys = await makeKeys();
const otherKeys = await makeKeys();
const allJwks = jwksOf(keys);

const base = (extra = {}) => ({
  iss: 'https://issuer.example',
  aud: 'api://orders',
  sub: 'client-42',
  iat: NOW - 10,
  nbf: NOW - 10,
  exp: NOW + 300,
  jti: 'id-1',
  tenant: 'acme',
  ...extra,
});
const policy = { issuer: 'https://issuer.example', audience: 'api://orders' };

/**
 * jose's key resolution. createLocalJWKSet takes no symmetric keys, so `oct` keys are resolved
 * the way it resolves the others: by kid, alg, use and key_ops, exactly one candidate.
 */
function joseKeys(jwks) {
  const asymmetric = jwks.keys.filter((k) => k.kty !== 'oct');
  const local = jose.createLocalJWKSet({ keys: asymmetric });
  const secrets = jwks.keys.filter((k) => k.kty === 'oct');
  return async (header, token) => {
    if (typeof header.alg !== 'string' || !header.alg.startsWith('HS')) return local(header, token);
    const candidates = secrets.filter(
      (k) =>
        (header.kid === undefined || k.kid === header.kid) &&
        (k.alg === undefined || k.alg === header.alg) &&
        (k.use === undefined || k.use === 'sig') &&
        (k.key_ops === undefined || k.key_ops.includes('verify')),
    );
    if (candidates.length !== 1) throw new jose.errors.JWKSNoMatchingKey();
    return jose.importJWK(candidates[0], header.alg);
  };
}

async function joseVerdict(token, jwks, options = {}) {
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(token, joseKeys(jwks), {
      currentDate: new Date(NOW * 1000),
      ...options,
    });
    return { ok: true, payload, header: protectedHeader };
  } catch (error) {
    return { ok: false, code: error.code ?? error.name };
  }
}

function wardVerdict(token, jwks, options = {}) {
  try {
    const result = new Verifier({ jwks, ...options }).verify(token, { now: NOW });
    return { ok: true, payload: result.payload, header: result.header };
  } catch (error) {
    assert.ok(error instanceof JwtError, String(error));
    return { ok: false, code: error.code };
  }
}

function flipSignature(token) {
  const [h, p, s] = token.split('.');
  const bytes = Buffer.from(s, 'base64url');
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  return `${h}.${p}.${bytes.toString('base64url')}`;
}

function replacePayload(token, payload) {
  const [h, , s] = token.split('.');
  return `${h}.${b64url(payload)}.${s}`;
}

function replaceHeader(token, header) {
  const [, p, s] = token.split('.');
  return `${b64url(header)}.${p}.${s}`;
}

/** ASN.1 DER encoding of a raw R || S ECDSA signature (what JWS forbids, RFC 7518 §3.4). */
function derSignature(token) {
  const [h, p, s] = token.split('.');
  const raw = Buffer.from(s, 'base64url');
  const half = raw.length / 2;
  const int = (bytes) => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let body = bytes.subarray(i);
    if (body[0] & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const seq = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
  const len = seq.length < 128 ? Buffer.from([seq.length]) : Buffer.from([0x81, seq.length]);
  return `${h}.${p}.${Buffer.concat([Buffer.from([0x30]), len, seq]).toString('base64url')}`;
}

const SIBLING = {
  HS256: 'HS384', HS384: 'HS512', HS512: 'HS256',
  RS256: 'RS384', RS384: 'RS512', RS512: 'RS256',
  PS256: 'PS384', PS384: 'PS512', PS512: 'PS256',
  ES256: 'ES384', ES384: 'ES512', ES512: 'ES256',
  EdDSA: 'Ed25519', Ed25519: 'EdDSA',
};

test('tokens signed by jose verify for every algorithm, with the same header and payload', async () => {
  for (const alg of ALGORITHMS) {
    const key = keys[alg];
    const token = await sign(key, base(), { typ: 'JWT' });
    const fromJose = await joseVerdict(token, { keys: [key.jwk] }, { ...policy, algorithms: [alg] });
    assert.ok(fromJose.ok, `${alg}: jose verifies its own token`);
    for (const jwks of [{ keys: [key.jwk] }, allJwks]) {
      const ours = wardVerdict(token, jwks, { ...policy, algorithms: [alg] });
      assert.ok(ours.ok, `${alg}: ${ours.code}`);
      assert.deepEqual(ours.payload, fromJose.payload, `${alg}: payload`);
      assert.deepEqual(ours.header, fromJose.header, `${alg}: header`);
    }
    // No kid: the key is found by algorithm and key type (one candidate).
    const noKid = await new jose.SignJWT(base()).setProtectedHeader({ alg }).sign(key.privateKey);
    assert.ok((await joseVerdict(noKid, { keys: [key.jwk] }, policy)).ok, `${alg} without kid: jose`);
    const ours = wardVerdict(noKid, { keys: [key.jwk] }, policy);
    assert.ok(ours.ok, `${alg} without kid: ${ours.code}`);
  }
});

/** Every case: [name, token, jwks, jwtward options, jose options]. */
async function rejectionCases() {
  const cases = [];
  for (const alg of ALGORITHMS) {
    const key = keys[alg];
    const jwks = { keys: [key.jwk] };
    const good = await sign(key, base());
    const at = (name, token, extra = {}, joseExtra = extra) =>
      cases.push([`${alg}: ${name}`, token, jwks, { ...policy, ...extra }, { ...policy, ...joseExtra }]);
    at('payload changed', replacePayload(good, base({ sub: 'admin' })));
    at('signature changed', flipSignature(good));
    at('signature removed', good.replace(/[^.]+$/, ''));
    at('signature of another key, same kid', await sign({ ...otherKeys[alg], kid: key.kid }, base()));
    at(`relabelled as ${SIBLING[alg]}`, replaceHeader(good, { alg: SIBLING[alg], kid: key.kid }));
    at('expired', await sign(key, base({ exp: NOW - 1 })));
    at('not yet valid', await sign(key, base({ nbf: NOW + 60 })));
    at('wrong issuer', await sign(key, base({ iss: 'https://evil.example' })));
    at('wrong audience', await sign(key, base({ aud: 'api://other' })));
    at('wrong subject', good, { subject: 'client-7' });
    at('too old', good, { maxTokenAge: 5 }, { maxTokenAge: 5 });
    at('missing required claim', good, { requiredClaims: ['scope'] });
    at('wrong typ', await sign(key, base(), { typ: 'JWT' }), { typ: 'at+jwt' });
    at('algorithm not allowed', good, { algorithms: [SIBLING[alg]] });
    at('unknown kid', await sign({ ...key, kid: 'unknown' }, base()));
    at('unknown critical header', signRaw(key, { alg, kid: key.kid, crit: ['urn:x'], 'urn:x': 1 }, base()));
    at('b64 false (RFC 7797) critical', signRaw(key, { alg, kid: key.kid, b64: false, crit: ['b64'] }, base()));
    at('payload is an array', await new jose.CompactSign(Buffer.from('[1,2]'))
      .setProtectedHeader({ alg, kid: key.kid })
      .sign(key.privateKey));
    if (alg.startsWith('ES')) at('DER-encoded signature', derSignature(good));
    if (!alg.startsWith('HS')) {
      // Algorithm confusion: the public key's JSON used as an HMAC secret.
      const secret = Buffer.from(JSON.stringify(key.jwk));
      at('HS256 with the public key as secret', hs256(secret, { alg: 'HS256', kid: key.kid }, base()));
    }
  }
  const hs = keys.HS256;
  const es = keys.ES256;
  const common = (name, token, jwks, extra = {}, joseExtra = extra) =>
    cases.push([name, token, jwks, { ...policy, ...extra }, { ...policy, ...joseExtra }]);
  common('alg none', `${b64url({ alg: 'none' })}.${b64url(base())}.`, allJwks);
  common('alg NONE', `${b64url({ alg: 'NONE' })}.${b64url(base())}.`, allJwks);
  common('not a JWT', 'a.b.c', allJwks);
  common('four segments', `${await sign(hs, base())}.x`, allJwks);
  // JWK members that restrict a key (createLocalJWKSet applies them to asymmetric keys).
  common('encryption key', await sign(es, base()), { keys: [{ ...es.jwk, use: 'enc' }] });
  common('key_ops without verify', await sign(es, base()), { keys: [{ ...es.jwk, key_ops: ['sign'] }] });
  common('JWK alg differs', await sign(es, base()), { keys: [{ ...es.jwk, alg: 'ES384' }] });
  common('JWK curve differs', await sign(es, base()), { keys: [{ ...keys.ES384.jwk, kid: es.kid, alg: undefined }] });
  common('no kid, two candidate keys', await new jose.SignJWT(base()).setProtectedHeader({ alg: 'ES256' }).sign(es.privateKey),
    { keys: [{ ...es.jwk, kid: undefined }, { ...otherKeys.ES256.jwk, kid: undefined }] });
  // RSA keys under 2048 bits (RFC 7518 §3.3 requires 2048).
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const weakJwk = { ...weak.publicKey.export({ format: 'jwk' }), alg: 'RS256', kid: 'weak' };
  const input = `${b64url({ alg: 'RS256', kid: 'weak' })}.${b64url(base())}`;
  const weakSig = createSign('RSA-SHA256').update(input).sign(weak.privateKey).toString('base64url');
  common('RSA-1024 key', `${input}.${weakSig}`, { keys: [weakJwk] });
  // Cases where jose accepts and jwtward is stricter (listed in STRICTER).
  common('aud present, no audience configured', await sign(hs, base()), allJwks, { audience: undefined }, { audience: undefined });
  common('iat in the future', await sign(hs, base({ iat: NOW + 3600 })), allJwks);
  return cases;
}

test('every token jose rejects, jwtward rejects (differences listed with their RFC reason)', async (t) => {
  const looser = [];
  const stricter = [];
  let bothRejected = 0;
  for (const [name, token, jwks, wardOptions, joseOptions] of await rejectionCases()) {
    const theirs = await joseVerdict(token, jwks, joseOptions);
    const ours = wardVerdict(token, jwks, wardOptions);
    if (!theirs.ok && ours.ok) looser.push(name);
    else if (theirs.ok && !ours.ok) stricter.push(`${name} (${ours.code})`);
    else if (!theirs.ok && !ours.ok) bothRejected++;
    else assert.fail(`${name}: both accepted a token that the case expects to be bad`);
  }
  t.diagnostic(`${bothRejected} tokens rejected by both`);
  for (const item of stricter) t.diagnostic(`jwtward stricter than jose: ${item}`);
  const unexplainedLooser = looser.filter((name) => !(name in LOOSER));
  assert.deepEqual(unexplainedLooser, [], 'tokens jose rejects but jwtward accepts');
  const stricterNames = stricter.map((s) => s.replace(/ \(.*\)$/, ''));
  assert.deepEqual(stricterNames.sort(), Object.keys(STRICTER).sort(), 'the documented stricter cases, exactly');
  assert.deepEqual(looser.sort(), Object.keys(LOOSER).sort(), 'the documented looser cases, exactly');
  assert.ok(bothRejected > ALGORITHMS.length * 15);
});
