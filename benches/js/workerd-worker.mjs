// The Worker side of bench.mjs's workerd section: jwtward (its `workerd` export condition, the
// .wasm imported as a module) and jose, timed inside workerd (local workerd's clocks advance
// during computation, unlike production Workers). bench.mjs bundles this file with esbuild,
// runs it in Miniflare and drives it:
//   POST /setup     { jwks, policy, algs, tokens: { alg: [token] }, bad: { alg: { name: token } } }
//                   -> { asyncVerify, failures: [..] }   (every contender validated first)
//   POST /run       { contender, alg, cursor, count } -> { ms, cursor }

import * as jwtward from 'jwtward';
import * as jose from 'jose';

let state = null;

const IN_FLIGHT = 64;

function postChecks(policy, payload) {
  if (payload.tenant_id !== policy.claims.tenant_id) throw new Error('tenant_id');
  const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (Array.isArray(payload.scp)) granted.push(...payload.scp);
  if (!granted.includes(policy.requiredScopes[0])) throw new Error('scope');
  return payload;
}

function makeContenders({ jwks, policy, algs }) {
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
  const secrets = Object.fromEntries(
    jwks.keys.filter((k) => k.kty === 'oct').map((k) => [k.alg, jose.base64url.decode(k.k)]),
  );
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
  const contenders = {
    jwtward: { sync: true, make: () => (token) => verifier.verify(token) },
    jose: { make: joseVerify },
    jose64: { make: joseVerify, inFlight: IN_FLIGHT },
  };
  if (asyncVerify) {
    contenders.jwtward_async = { make: () => (token) => verifier.verifyAsync(token) };
    contenders.jwtward_async64 = { make: () => (token) => verifier.verifyAsync(token), inFlight: IN_FLIGHT };
  }
  return { contenders, asyncVerify };
}

async function runBatch(contender, fn, tokens, cursor, count) {
  const n = tokens.length;
  if (contender.sync) {
    for (let i = 0; i < count; i++) fn(tokens[(cursor + i) % n]);
  } else if (!contender.inFlight) {
    for (let i = 0; i < count; i++) await fn(tokens[(cursor + i) % n]);
  } else {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        await fn(tokens[(cursor + i) % n]);
      }
    };
    await Promise.all(Array.from({ length: contender.inFlight }, worker));
  }
  return (cursor + count) % n;
}

async function setup(body) {
  const { contenders, asyncVerify } = makeContenders(body);
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
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/setup') return Response.json(await setup(await request.json()));
      if (url.pathname === '/run') {
        if (!state) return Response.json({ error: 'not set up' }, { status: 409 });
        const { contender, alg, cursor, count } = await request.json();
        const fn = state.fns[`${contender}:${alg}`];
        if (!fn) return Response.json({ error: `no contender ${contender} for ${alg}` }, { status: 404 });
        const t0 = performance.now();
        const next = await runBatch(state.contenders[contender], fn, state.tokens[alg], cursor, count);
        return Response.json({ ms: performance.now() - t0, cursor: next });
      }
      return new Response('not found', { status: 404 });
    } catch (error) {
      return Response.json({ error: `${error.code ?? ''} ${error.message}` }, { status: 500 });
    }
  },
};
