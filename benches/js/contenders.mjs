// The contenders of bench.mjs's workerd and browser sections, written once and timed inside each
// runtime (local workerd's clocks advance during computation, unlike production Workers): jwtward
// (the package as that runtime loads it), jose, and a raw WebCrypto verifier. The workerd Worker
// (workerd-worker.mjs) and the browser page (bench.mjs, browserSection) hand in the modules as
// they imported them and drive it:
//   setup({ jwks, policy, algs, tokens: { alg: [token] }, bad: { alg: { name: token } } })
//     -> { asyncVerify, failures: [..], contenders: [id] }   (every contender validated first)
//   run({ contender, alg, cursor, count }) -> { ms, cursor }

const IN_FLIGHT = 64;

function postChecks(policy, payload) {
  if (payload.tenant_id !== policy.claims.tenant_id) throw new Error('tenant_id');
  const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (Array.isArray(payload.scp)) granted.push(...payload.scp);
  if (!granted.includes(policy.requiredScopes[0])) throw new Error('scope');
  return payload;
}

// How WebCrypto verifies each JWS algorithm (import parameters, verify parameters).
const WEBCRYPTO = {
  RS256: [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' }],
  PS256: [{ name: 'RSA-PSS', hash: 'SHA-256' }, { name: 'RSA-PSS', saltLength: 32 }],
  ES256: [{ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' }],
  ES384: [{ name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' }],
  EdDSA: [{ name: 'Ed25519' }, { name: 'Ed25519' }],
  HS256: [{ name: 'HMAC', hash: 'SHA-256' }, { name: 'HMAC' }],
};

const B64URL = new Uint8Array(128);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].forEach((c, i) => (B64URL[c.charCodeAt(0)] = i));
function fromB64url(text) {
  const out = new Uint8Array((text.length * 3) >> 2);
  let bits = 0;
  let count = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    bits = (bits << 6) | B64URL[text.charCodeAt(i)];
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[o++] = (bits >> count) & 0xff;
    }
  }
  return out;
}
const utf8 = new TextEncoder();
const text = new TextDecoder();

// The floor for any WebCrypto-based verifier: split, base64url, JSON.parse, one subtle.verify with
// a key imported once, and the policy's claim checks written inline. Not a library: a lower bound
// (no strict JSON, no key selection, no signature-encoding checks).
function rawWebCrypto({ jwks, policy }, alg) {
  // Without `alg` (WebCrypto checks it against its own names, e.g. Ed25519 vs EdDSA).
  const { alg: _alg, ...jwk } = jwks.keys.find((k) => k.alg === alg);
  const [importParams, verifyParams] = WEBCRYPTO[alg];
  const keyPromise = crypto.subtle.importKey('jwk', jwk, importParams, false, ['verify']);
  return async (token) => {
    const [h, p, s] = token.split('.');
    const header = JSON.parse(text.decode(fromB64url(h)));
    if (header.alg !== alg || header.typ !== policy.typ) throw new Error('header');
    const ok = await crypto.subtle.verify(verifyParams, await keyPromise, fromB64url(s), utf8.encode(`${h}.${p}`));
    if (!ok) throw new Error('bad_signature');
    const payload = JSON.parse(text.decode(fromB64url(p)));
    const now = Date.now() / 1000;
    if (payload.iss !== policy.issuer || payload.sub !== policy.subject) throw new Error('iss/sub');
    if (!(Array.isArray(payload.aud) ? payload.aud : [payload.aud]).includes(policy.audience)) throw new Error('aud');
    if (typeof payload.exp !== 'number' || now >= payload.exp) throw new Error('exp');
    if (typeof payload.nbf === 'number' && now < payload.nbf) throw new Error('nbf');
    if (typeof payload.iat !== 'number' || payload.iat > now || now - payload.iat > policy.maxTokenAge) throw new Error('iat');
    return postChecks(policy, payload);
  };
}

function makeContenders(jwtward, jose, { jwks, policy, algs }) {
  const options = {
    jwks,
    algorithms: algs,
    issuer: policy.issuer,
    audience: policy.audience,
    subject: policy.subject,
    typ: policy.typ,
    requiredClaims: policy.requiredClaims,
    requiredScopes: policy.requiredScopes,
    claims: policy.claims,
    maxTokenAge: policy.maxTokenAge,
    cache: false,
  };
  const verifier = new jwtward.Verifier(options);
  const asyncVerify = typeof verifier.verifyAsync === 'function';
  const localJwks = jose.createLocalJWKSet(jwks);
  const secrets = Object.fromEntries(jwks.keys.filter((k) => k.kty === 'oct').map((k) => [k.alg, jose.base64url.decode(k.k)]));
  const joseVerify = (alg) => {
    const key = secrets[alg] ?? localJwks; // jose's JWK Set resolver refuses symmetric keys
    const joseOptions = {
      algorithms: [alg],
      issuer: policy.issuer,
      audience: policy.audience,
      subject: policy.subject,
      typ: policy.typ,
      maxTokenAge: policy.maxTokenAge,
      requiredClaims: [...policy.requiredClaims, 'iat'],
    };
    return async (token) => postChecks(policy, (await jose.jwtVerify(token, key, joseOptions)).payload);
  };
  const webcrypto = (alg) => rawWebCrypto({ jwks, policy }, alg);
  const contenders = {
    jwtward: { sync: true, make: () => (token) => verifier.verify(token) },
    jose: { make: joseVerify },
    jose64: { make: joseVerify, inFlight: IN_FLIGHT },
    webcrypto: { make: webcrypto },
    webcrypto64: { make: webcrypto, inFlight: IN_FLIGHT },
  };
  if (asyncVerify) {
    contenders.jwtward_async = { make: () => (token) => verifier.verifyAsync(token) };
    contenders.jwtward_async64 = { make: () => (token) => verifier.verifyAsync(token), inFlight: IN_FLIGHT };
  }
  return { contenders, asyncVerify };
}

/**
 * Runs `count` verifications of `tokens` from `cursor`, one after another (`sync`, or awaited one at a
 * time), or as a sliding window of `inFlight` outstanding promises; returns the next cursor. Shared with
 * bench.mjs so that Node, workerd and Chromium time exactly the same loop.
 */
export async function runVerifications(fn, tokens, cursor, count, { sync = false, inFlight = 0 } = {}) {
  const n = tokens.length;
  if (sync) {
    for (let i = 0; i < count; i++) fn(tokens[(cursor + i) % n]);
  } else if (!inFlight) {
    for (let i = 0; i < count; i++) await fn(tokens[(cursor + i) % n]);
  } else {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        await fn(tokens[(cursor + i) % n]);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  }
  return (cursor + count) % n;
}

/** The bench of one runtime, over the `jwtward` and `jose` modules as it imported them. */
export function createBench(jwtward, jose) {
  let state = null;
  return {
    async setup(body) {
      const { contenders, asyncVerify } = makeContenders(jwtward, jose, body);
      const failures = [];
      const fns = {};
      for (const alg of body.algs) {
        for (const [id, contender] of Object.entries(contenders)) {
          const fn = contender.make(alg);
          fns[`${id}:${alg}`] = fn;
          // Same gate as in Node: accept the valid tokens, reject every tampered one.
          for (const token of body.tokens[alg].slice(0, 3)) {
            try {
              await fn(token);
            } catch (error) {
              failures.push(`${id} rejects a valid ${alg} token: ${error.code ?? ''} ${error.message}`);
            }
          }
          for (const [name, token] of Object.entries(body.bad[alg])) {
            let rejected = false;
            try {
              await fn(token);
            } catch {
              rejected = true;
            }
            if (!rejected) failures.push(`${id} accepts a ${alg} token with ${name}`);
          }
        }
      }
      state = { contenders, fns, tokens: body.tokens };
      return { asyncVerify, failures, contenders: Object.keys(contenders) };
    },
    async run({ contender, alg, cursor, count }) {
      if (!state) throw new Error('not set up');
      const fn = state.fns[`${contender}:${alg}`];
      if (!fn) throw new Error(`no contender ${contender} for ${alg}`);
      const { sync, inFlight } = state.contenders[contender];
      const t0 = performance.now();
      const next = await runVerifications(fn, state.tokens[alg], cursor, count, { sync, inFlight });
      return { ms: performance.now() - t0, cursor: next };
    },
  };
}
