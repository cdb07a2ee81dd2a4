// `jwtward/worker`: the Cloudflare Worker that guards an API, as a module default export.
//
//   import { createWorker } from 'jwtward/worker';
//   import policy from './policy.json';
//   export default createWorker(policy);
//
// Allowed requests go to the origin: a service binding `ORIGIN` (another Worker) if there is one, else
// `ORIGIN_URL` (the request's path and query appended to its path), else demo mode (the verified
// identity as JSON). Sender-constrained tokens: `DPOP_NONCE_SECRET` (a secret) keys the DPoP nonces,
// required when the policy asks for nonces (every isolate must issue and accept the same ones);
// `DPOP_REPLAY` (a Durable Object namespace of the DpopReplayStore class, worker.workerd.js) remembers
// accepted proofs across isolates and locations, instead of each isolate's memory. In workerd the
// bindings are read when the module loads (worker.workerd.js), so a bad one stops the Worker at
// startup; elsewhere (Node, tests) from the first request's `env`.

import { memoryReplayStore } from 'jwtward';
import { createEngine } from '../guard/engine.js';
import { passOn } from '../guard/forward.js';
import { consoleLog } from '../guard/log.js';
import { errorAnswer, jsonAnswer, toResponse, withHeaders } from '../guard/responses.js';
import { FETCH_TRANSPORT } from '../guard/sender.js';

/**
 * Where allowed requests go, from the Worker's bindings. Throws for an ORIGIN_URL that is not an
 * absolute http(s) URL without credentials, query or fragment.
 * @param {{ ORIGIN?: { fetch: Function }, ORIGIN_URL?: string } | undefined} env
 */
function resolveOrigin(env) {
  if (env?.ORIGIN && typeof env.ORIGIN.fetch === 'function') return { kind: 'service', fetcher: env.ORIGIN };
  const raw = env?.ORIGIN_URL;
  if (raw === undefined || raw === null || raw === '') return { kind: 'demo' };
  let base;
  try {
    base = new URL(raw);
  } catch {
    throw new Error(`jwtward: ORIGIN_URL "${raw}" is not an absolute URL [ERR_ORIGIN_URL_INVALID]`);
  }
  if (!['http:', 'https:'].includes(base.protocol) || base.search || base.hash || base.username || base.password) {
    throw new Error(`jwtward: ORIGIN_URL must be an http(s) URL without credentials, query or fragment, got "${raw}" [ERR_ORIGIN_URL_INVALID]`);
  }
  return { kind: 'url', base };
}

/**
 * The DPoP bindings: the nonce secret (a string of at least 32 bytes; required when `nonces`), and the
 * replay store over the `DPOP_REPLAY` Durable Object namespace, or null for the isolate's memory.
 * Throws for a missing or short secret and for a DPOP_REPLAY that is not a Durable Object namespace.
 * @param {object | undefined} env
 * @param {boolean} nonces whether the policy asks for DPoP nonces
 */
function resolveDpopBindings(env, nonces) {
  const secret = env?.DPOP_NONCE_SECRET;
  if (nonces && (typeof secret !== 'string' || new TextEncoder().encode(secret).length < 32)) {
    throw new Error('jwtward: the policy asks for DPoP nonces: set the DPOP_NONCE_SECRET secret (at least 32 bytes, `wrangler secret put DPOP_NONCE_SECRET`), so that every isolate issues and accepts the same nonces [ERR_DPOP_NONCE_SECRET]');
  }
  const namespace = env?.DPOP_REPLAY;
  if (namespace !== undefined && (typeof namespace?.idFromName !== 'function' || typeof namespace?.get !== 'function')) {
    throw new Error('jwtward: DPOP_REPLAY must be a Durable Object namespace binding of the DpopReplayStore class [ERR_DPOP_REPLAY_BINDING]');
  }
  return { nonceSecret: secret, replayStore: namespace === undefined ? null : durableReplayStore(namespace) };
}

/**
 * A DPoP replay store over Durable Objects: one object per client key (the store's keys are
 * "<jkt>.<jti>", pkg/src/binding.js), so a proof replayed from anywhere reaches the object that saw it,
 * and clients never queue behind each other. Its answer is a promise: the guard verifies with
 * verifyAsync.
 */
function durableReplayStore(namespace) {
  return {
    // Awaited here: an RPC call's result is a thenable of workerd's own (a function, for pipelining),
    // not a Promise.
    async record(key, expiresAt, now) {
      const jkt = key.slice(0, key.indexOf('.'));
      return await namespace.get(namespace.idFromName(jkt)).record(key, expiresAt, now);
    },
  };
}

/** Sends the request on to the origin. Redirects are passed back to the client, not followed. */
function proxy(origin, request, decision) {
  if (origin.kind === 'service') return origin.fetcher.fetch(passOn(request, decision));
  const target = new URL(origin.base);
  target.pathname = origin.base.pathname.replace(/\/$/, '') + decision.url.pathname;
  target.search = decision.url.search;
  return fetch(passOn(request, decision, target));
}

/** Demo mode: the verified identity, and the headers an origin would have received. */
function demoAnswer(decision) {
  const { auth, route, identity } = decision;
  if (!auth) return jsonAnswer(200, { route: route.name, decision: 'public', status: 'ok' });
  return jsonAnswer(200, {
    route: route.name,
    decision: 'allow',
    identity: {
      sub: auth.sub,
      client_id: auth.clientId,
      tenant: auth.tenant,
      scopes: auth.scopes,
      iss: auth.iss,
      aud: auth.aud,
      exp: auth.exp,
      kid: auth.kid,
      alg: auth.alg,
      cnf: auth.cnf,
    },
    forwardedHeaders: identity,
    note: 'No ORIGIN_URL or ORIGIN binding is configured, so the Worker answers with the identity it would forward.',
  });
}

/**
 * The Worker for a policy document. Throws at startup for an invalid policy (PolicyError), keys or
 * options jwtward refuses, and an invalid ORIGIN_URL, DPOP_NONCE_SECRET or DPOP_REPLAY in `options.env`.
 * @param {unknown} policy the policy JSON (parsed)
 * @param {{ env?: object, log?: (record: object) => void }} [options] `env`: the bindings, when known
 *   before the first request; `log`: where audit records go (default: one JSON line on stdout each)
 * @returns {{ fetch(request: Request, env: object, ctx: object): Promise<Response> }}
 */
function createWorker(policy, options = {}) {
  // The bindings may be read after the engine is made (at the first request, outside workerd): the
  // replay store and the nonce secret are looked up through `bindings` when first used.
  let bindings;
  const memory = memoryReplayStore();
  const engine = createEngine(policy, {
    log: options.log ?? consoleLog,
    dpopReplayStore: { record: (key, expiresAt, now) => (bindings.replayStore ?? memory).record(key, expiresAt, now) },
    dpopNonceSecret: () => bindings.nonceSecret,
  });
  const resolve = (env) => {
    bindings = resolveDpopBindings(env, engine.policy.dpop.nonces);
    return resolveOrigin(env);
  };
  let origin = options.env === undefined ? undefined : resolve(options.env);

  async function send(request, decision) {
    if (origin.kind === 'demo') return toResponse(demoAnswer(decision), request.method);
    try {
      return await proxy(origin, request, decision);
    } catch {
      decision.entry.code = 'ERR_ORIGIN_UNAVAILABLE';
      return toResponse(errorAnswer(502, 'bad_gateway', 'ERR_ORIGIN_UNAVAILABLE', 'the origin could not be reached'), request.method);
    }
  }

  return {
    async fetch(request, env, ctx) {
      origin ??= resolve(env);
      const decision = await engine.decide(request.method, new URL(request.url), request.headers, ctx, FETCH_TRANSPORT, request);
      if (!decision.allow) {
        engine.record(decision, decision.answer.status);
        return toResponse(decision.answer, request.method);
      }
      const response = withHeaders(await send(request, decision), decision.headers);
      engine.record(decision, response.status);
      return response;
    },
  };
}

export { createWorker, resolveOrigin };
