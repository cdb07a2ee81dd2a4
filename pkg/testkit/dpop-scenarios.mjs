// Sender-constrained tokens (issue 14), written once and run in every runtime by thin runners:
// Node (pkg/test/dpop-node.test.mjs), workerd through miniflare (dpop-workerd.test.mjs) and
// headless Chromium (dpop-browser.test.mjs). The client's keys, its proofs and the access tokens
// are made here with WebCrypto, so each scenario can get exactly one thing wrong; every verdict
// is asserted by code (and `claim`), for `verify` and for `verifyAsync` (where WebCrypto checks
// the signatures in Workers and browsers, node:crypto in Node).
//
// Runtime-neutral on purpose: crypto.subtle, btoa, TextEncoder and the jwtward API, nothing else.

const ISSUER = 'https://issuer.example';
const URL_ = 'https://api.example/orders';
const SECRET = new TextEncoder().encode('dpop-scenarios-hs256-secret-of-32-bytes!');

/** Runs scenario `name`; resolves `{ ok, error? }` (never rejects). */
export async function runScenario(name, api) {
  try {
    await SCENARIOS[name](await fixture(api));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: String(error?.stack ?? error) };
  }
}

/** Scenarios every runner runs. */
export const SCENARIO_NAMES = () => Object.keys(SCENARIOS);

const enc = new TextEncoder();
const b64 = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const b64json = (value) => b64(enc.encode(JSON.stringify(value)));
const sha256 = async (text) => b64(await crypto.subtle.digest('SHA-256', typeof text === 'string' ? enc.encode(text) : text));

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function equal(actual, expected, message) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** The JWS with one character in the middle of its signature changed (still strict base64url). */
function tamper(jws) {
  const at = jws.length - 10;
  return `${jws.slice(0, at)}${jws[at] === 'A' ? 'B' : 'A'}${jws.slice(at + 1)}`;
}

let counter = 0;
const freshJti = () => `jti-${Date.now()}-${(counter += 1)}`;

/** An ES256 client key: `{ privateKey, jwk (public members only), jkt }`. */
async function clientKey() {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const jwk = { kty: 'EC', crv: 'P-256', x: exported.x, y: exported.y };
  // RFC 7638, computed here (not by the package): required members, sorted, no whitespace.
  const jkt = await sha256(`{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`);
  return { privateKey: pair.privateKey, jwk, exported, jkt };
}

async function es256(privateKey, input) {
  return b64(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, enc.encode(input)));
}

async function hs256(input, secret = SECRET) {
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return b64(await crypto.subtle.sign('HMAC', key, enc.encode(input)));
}

async function fixture(api) {
  const now = Math.floor(Date.now() / 1000);
  const client = await clientKey();
  const attacker = await clientKey();
  const issuerKey = await clientKey();
  const jwks = {
    keys: [
      { kty: 'oct', kid: 'hs', alg: 'HS256', k: b64(SECRET) },
      { ...issuerKey.jwk, kid: 'es', alg: 'ES256' },
    ],
  };

  /** An access token (HS256, or ES256 with `es: true`) with `cnf` (or none). */
  async function token(cnf, { es = false, claims = {} } = {}) {
    const header = es ? { alg: 'ES256', kid: 'es', typ: 'at+jwt' } : { alg: 'HS256', kid: 'hs', typ: 'at+jwt' };
    const body = { iss: ISSUER, sub: 'client-7', iat: now - 5, exp: now + 300, scope: 'orders:read', ...(cnf ? { cnf } : {}), ...claims };
    const input = `${b64json(header)}.${b64json(body)}`;
    return `${input}.${es ? await es256(issuerKey.privateKey, input) : await hs256(input)}`;
  }

  /**
   * A proof for `token` (GET URL_, now), signed by `key`; `header`/`claims` replace members
   * (undefined removes one), `sign` replaces the signing ('HS256', 'none').
   */
  async function proof(token, { key = client, header = {}, claims = {}, sign } = {}) {
    const head = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk, ...header };
    const body = { jti: freshJti(), htm: 'GET', htu: URL_, iat: now, ath: await sha256(token), ...claims };
    for (const object of [head, body]) for (const name of Object.keys(object)) if (object[name] === undefined) delete object[name];
    const input = `${b64json(head)}.${b64json(body)}`;
    if (sign === 'none') return `${input}.`;
    if (sign === 'HS256') return `${input}.${await hs256(input)}`;
    return `${input}.${await es256(key.privateKey, input)}`;
  }

  const verifier = (options = {}) => new api.Verifier({ jwks, issuer: ISSUER, ...options });
  const dpop = (proofText, extra = {}) => ({ now, dpop: { proof: proofText, method: 'GET', url: URL_, ...extra } });

  /** Both verify and verifyAsync (each with its own proof, made by `make`), same verdict. */
  async function both(v, tokenText, make, expectCode, expectClaim, label) {
    for (const mode of ['verify', 'verifyAsync']) {
      const options = await make();
      let outcome;
      try {
        const result = mode === 'verify' ? v.verify(tokenText, options) : await v.verifyAsync(tokenText, options);
        outcome = { valid: true, result };
      } catch (error) {
        if (!(error instanceof api.JwtError)) throw error;
        outcome = { valid: false, code: error.code, claim: error.claim };
      }
      if (expectCode === undefined) {
        assert(outcome.valid, `${label} (${mode}): expected valid, got ${outcome.code} ${outcome.claim}`);
      } else {
        equal([outcome.code, outcome.claim], [expectCode, expectClaim], `${label} (${mode})`);
      }
      if (outcome.valid) outcome.result.mode = mode;
      if (mode === 'verifyAsync') return outcome;
    }
  }

  return { api, now, client, attacker, token, proof, verifier, dpop, both, jwks };
}

const SCENARIOS = {
  async 'a DPoP-bound token with its proof: result.cnf and the proof facts'(f) {
    const v = f.verifier();
    const token = await f.token({ jkt: f.client.jkt });
    for (const mode of ['verify', 'verifyAsync']) {
      const proof = await f.proof(token);
      const options = f.dpop(proof);
      const result = mode === 'verify' ? v.verify(token, options) : await v.verifyAsync(token, options);
      equal(result.cnf, { jkt: f.client.jkt }, `${mode}: cnf`);
      equal([result.dpop.jkt, result.dpop.iat, typeof result.dpop.jti], [f.client.jkt, f.now, 'string'], `${mode}: dpop`);
      equal(result.payload.sub, 'client-7', `${mode}: payload`);
    }
    // The issuer's token signed with ES256 too: in Workers and browsers verifyAsync then waits
    // on WebCrypto for two signatures, the token's and the proof's.
    const es = await f.token({ jkt: f.client.jkt }, { es: true });
    await f.both(v, es, async () => f.dpop(await f.proof(es)), undefined, undefined, 'ES256 token');
    const tampered = tamper(es);
    await f.both(v, tampered, async () => f.dpop(await f.proof(tampered)), 'ERR_JWT_BAD_SIGNATURE', undefined, 'tampered token');
    const badSignature = async () => f.dpop(tamper(await f.proof(es)));
    await f.both(v, es, badSignature, 'ERR_JWT_BAD_DPOP_PROOF', 'signature', 'tampered proof');
    // WebCrypto's own export of the key (key_ops, ext) is a fine jwk header.
    await f.both(v, token, async () => f.dpop(await f.proof(token, { header: { jwk: f.client.exported } })), undefined, undefined, 'exported jwk');
    // htu is compared as a URI: case, default port, query and fragment do not matter.
    const other = async () => f.dpop(await f.proof(token, { claims: { htu: 'HTTPS://API.example:443/orders' } }), { url: `${'https://api.example/orders'}?page=2#x` });
    await f.both(v, token, other, undefined, undefined, 'normalised htu');
  },

  async 'every attack on the proof is refused with its part'(f) {
    const v = f.verifier();
    const token = await f.token({ jkt: f.client.jkt });
    const cases = [
      ['another URL', { claims: { htu: 'https://api.example/admin' } }, 'htu'],
      ['another method', { claims: { htm: 'POST' } }, 'htm'],
      ['stale iat', { claims: { iat: f.now - 61 } }, 'iat'],
      ['future iat', { claims: { iat: f.now + 61 } }, 'iat'],
      ['wrong ath', { claims: { ath: 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo' } }, 'ath'],
      ['no ath', { claims: { ath: undefined } }, 'ath'],
      ['no jti', { claims: { jti: undefined } }, 'jti'],
      ['signed with HS256', { header: { alg: 'HS256' }, sign: 'HS256' }, 'alg'],
      ['alg none', { header: { alg: 'none' }, sign: 'none' }, 'alg'],
      ['private key in jwk', { header: { jwk: { ...f.client.jwk, d: 'AAAA' } } }, 'jwk'],
      ['typ JWT', { header: { typ: 'JWT' } }, 'typ'],
      ['no jwk', { header: { jwk: undefined } }, 'jwk'],
    ];
    for (const [label, change, part] of cases) {
      await f.both(v, token, async () => f.dpop(await f.proof(token, change)), 'ERR_JWT_BAD_DPOP_PROOF', part, label);
    }
    await f.both(v, token, async () => f.dpop('not.a.proof'), 'ERR_JWT_BAD_DPOP_PROOF', 'proof', 'garbage');
    // Policy: only ES384 proofs.
    const strict = f.verifier({ dpopAlgorithms: ['ES384'] });
    await f.both(strict, token, async () => f.dpop(await f.proof(token)), 'ERR_JWT_BAD_DPOP_PROOF', 'alg', 'alg not allowed');
  },

  async 'binding: another key, no proof, Bearer, unbound under a constraint'(f) {
    const v = f.verifier();
    const token = await f.token({ jkt: f.client.jkt });
    // The attacker holds the token but not the client's key.
    await f.both(v, token, async () => f.dpop(await f.proof(token, { key: f.attacker })), 'ERR_JWT_BAD_BINDING', 'cnf.jkt', 'another key');
    await f.both(v, token, async () => ({ now: f.now }), 'ERR_JWT_BAD_BINDING', 'cnf.jkt', 'no proof');
    await f.both(v, token, async () => f.dpop(null), 'ERR_JWT_BAD_BINDING', 'cnf.jkt', 'no DPoP header');
    await f.both(v, token, async () => ({ ...f.dpop(await f.proof(token)), scheme: 'Bearer' }), 'ERR_JWT_BAD_BINDING', 'cnf.jkt', 'as Bearer');
    const unbound = await f.token(undefined);
    await f.both(v, unbound, async () => ({ now: f.now }), undefined, undefined, 'unbound, none required');
    await f.both(v, unbound, async () => f.dpop(null), undefined, undefined, 'unbound, no DPoP header');
    await f.both(v, unbound, async () => f.dpop(await f.proof(unbound)), 'ERR_JWT_BAD_BINDING', 'cnf.jkt', 'unbound with a proof');
    for (const senderConstraint of ['dpop', 'mtls', 'any']) {
      await f.both(f.verifier({ senderConstraint }), unbound, async () => ({ now: f.now }), 'ERR_JWT_BAD_BINDING', 'cnf', `unbound under ${senderConstraint}`);
    }
    await f.both(f.verifier({ senderConstraint: 'dpop' }), token, async () => f.dpop(await f.proof(token)), undefined, undefined, 'bound under dpop');
  },

  async 'a replayed proof is refused, in memory or in a store the host gives'(f) {
    const token = await f.token({ jkt: f.client.jkt });
    const proof = await f.proof(token);
    const v = f.verifier();
    v.verify(token, f.dpop(proof));
    for (const replay of [() => v.verify(token, f.dpop(proof)), () => v.verifyAsync(token, f.dpop(proof))]) {
      try {
        await replay();
        throw new Error('a replayed proof was accepted');
      } catch (error) {
        equal([error.code, error.claim], ['ERR_JWT_BAD_DPOP_PROOF', 'jti'], 'replay');
      }
    }
    // A proof the core refused is not recorded: the same proof, valid, is then accepted once.
    const later = await f.proof(token);
    try {
      v.verify(token, f.dpop(later, { method: 'POST' }));
    } catch (error) {
      equal(error.claim, 'htm', 'refused first');
    }
    v.verify(token, f.dpop(later));
    // One store for two verifiers (two routes of one API, say): a proof is accepted once.
    const shared = f.api.memoryReplayStore();
    const a = f.verifier({ dpopReplayStore: shared });
    const b = f.verifier({ dpopReplayStore: shared });
    const once = await f.proof(token);
    a.verify(token, f.dpop(once));
    try {
      b.verify(token, f.dpop(once));
      throw new Error('a proof was accepted by a second verifier sharing the store');
    } catch (error) {
      equal(error.claim, 'jti', 'shared store');
    }
    // A host's asynchronous store (a Durable Object, say): verifyAsync waits for its answer.
    const seen = new Set();
    const calls = [];
    const asyncStore = {
      record(key, expiresAt, now) {
        calls.push([expiresAt - now]);
        return new Promise((resolve) => setTimeout(() => resolve(!seen.has(key) && Boolean(seen.add(key))), 1));
      },
    };
    const c = f.verifier({ dpopReplayStore: asyncStore });
    const third = await f.proof(token);
    await c.verifyAsync(token, f.dpop(third));
    equal(calls, [[61]], 'kept for the iat window (60 s) past the second it was used');
    try {
      await c.verifyAsync(token, f.dpop(third));
      throw new Error('async store: replay accepted');
    } catch (error) {
      equal(error.claim, 'jti', 'async store');
    }
    try {
      c.verify(token, f.dpop(await f.proof(token)));
      throw new Error('sync verify took an asynchronous store');
    } catch (error) {
      assert(error instanceof TypeError, `sync verify with an async store: ${error}`);
    }
    // Entries expire with the iat window: a bounded store of one entry keeps working.
    const tiny = f.verifier({ dpopReplayStore: f.api.memoryReplayStore({ maxEntries: 1 }) });
    for (let i = 0; i < 3; i += 1) tiny.verify(token, f.dpop(await f.proof(token)));
  },

  async 'nonces the server gave'(f) {
    const v = f.verifier();
    const token = await f.token({ jkt: f.client.jkt });
    const expect = (nonce) => async () => f.dpop(await f.proof(token, { claims: { nonce } }), { nonce: ['n-old', 'n-new'] });
    await f.both(v, token, expect('n-new'), undefined, undefined, 'current nonce');
    await f.both(v, token, expect('n-old'), undefined, undefined, 'previous nonce');
    await f.both(v, token, expect('n-other'), 'ERR_JWT_BAD_DPOP_PROOF', 'nonce', 'another nonce');
    await f.both(v, token, expect(undefined), 'ERR_JWT_BAD_DPOP_PROOF', 'nonce', 'no nonce');
  },

  async 'certificate-bound tokens (mTLS)'(f) {
    const der = enc.encode('0\u0082 the DER of a client certificate (test)');
    const x5t = await sha256(der);
    const v = f.verifier({ senderConstraint: 'mtls' });
    const token = await f.token({ 'x5t#S256': x5t });
    const withCertificate = (clientCertificate) => async () => ({ now: f.now, clientCertificate });
    const ok = await f.both(v, token, withCertificate(der), undefined, undefined, 'DER bytes');
    equal(ok.result.cnf, { 'x5t#S256': x5t }, 'cnf');
    await f.both(v, token, withCertificate(der.buffer), undefined, undefined, 'ArrayBuffer');
    await f.both(v, token, withCertificate({ sha256: x5t }), undefined, undefined, '{ sha256 }');
    await f.both(v, token, withCertificate(enc.encode('another certificate')), 'ERR_JWT_BAD_BINDING', 'cnf.x5t#S256', 'another certificate');
    await f.both(v, token, async () => ({ now: f.now }), 'ERR_JWT_BAD_BINDING', 'cnf.x5t#S256', 'no certificate');
  },

  async 'the cache never answers for a proof'(f) {
    const v = f.verifier();
    const unbound = await f.token(undefined);
    v.verify(unbound, { now: f.now });
    v.verify(unbound, { now: f.now });
    equal(v.cacheStats().hits, 1, 'an unbound token is cached');
    // The same token with a proof: the core says bad_binding, the cache is not asked.
    await f.both(v, unbound, async () => f.dpop(await f.proof(unbound)), 'ERR_JWT_BAD_BINDING', 'cnf.jkt', 'cached token with a proof');
    const token = await f.token({ jkt: f.client.jkt });
    const entries = v.cacheStats().entries;
    v.verify(token, f.dpop(await f.proof(token)));
    equal(v.cacheStats().entries, entries, 'a bound token is never cached');
  },

  async 'explain shows the proof and binding checks; option mistakes name the field'(f) {
    const v = f.verifier();
    const token = await f.token({ jkt: f.client.jkt });
    const report = v.explain(token, f.dpop(await f.proof(token)));
    assert(report.valid, `explain: ${report.code} ${report.message}`);
    const status = Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
    for (const id of ['cnf', 'dpop_typ', 'dpop_alg', 'dpop_jwk', 'dpop_signature', 'dpop_htm', 'dpop_htu', 'dpop_iat', 'dpop_jti', 'dpop_ath', 'cnf_jkt']) {
      equal(status[id], 'passed', `explain ${id}`);
    }
    const bearer = v.explain(token, { now: f.now });
    equal([bearer.valid, bearer.code], [false, 'ERR_JWT_BAD_BINDING'], 'explain without proof');
    equal(bearer.checks.find((check) => check.status === 'failed').id, 'cnf_jkt', 'failed line');

    const mistakes = [
      [{ dpop: { proof: 'x', method: 'GET' } }, 'dpop.url'],
      [{ dpop: { proof: 'x', url: URL_ } }, 'dpop.method'],
      [{ dpop: { proof: 7, method: 'GET', url: URL_ } }, 'dpop.proof'],
      [{ dpop: { proof: 'x', method: 'GET', url: URL_, nonce: 1 } }, 'dpop.nonce'],
      [{ dpop: { proof: 'x', method: 'GET', url: URL_, htm: 'GET' } }, 'dpop.htm'],
      [{ dpop: 'x' }, 'dpop'],
      [{ clientCertificate: 'DER' }, 'clientCertificate'],
      [{ clientCertificate: { sha256: 'short' } }, 'clientCertificate.sha256'],
      [{ scheme: 'Basic' }, 'scheme'],
    ];
    for (const [options, field] of mistakes) {
      try {
        v.verify(token, { now: f.now, ...options });
        throw new Error(`accepted ${JSON.stringify(options)}`);
      } catch (error) {
        equal([error.code, error.field], ['ERR_OPTIONS_INVALID', field], JSON.stringify(options));
      }
    }
    for (const [options, field] of [
      [{ dpopReplayStore: {} }, 'dpopReplayStore'],
      [{ senderConstraint: 'tls' }, 'senderConstraint'],
      [{ dpopAlgorithms: ['HS256'] }, 'dpopAlgorithms'],
      [{ dpopIatWindow: 7200 }, 'dpopIatWindow'],
    ]) {
      try {
        f.verifier(options);
        throw new Error(`accepted ${JSON.stringify(options)}`);
      } catch (error) {
        equal([error.code, error.field], ['ERR_OPTIONS_INVALID', field], JSON.stringify(options));
      }
    }
  },
};
