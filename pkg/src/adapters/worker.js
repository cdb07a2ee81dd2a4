// `jwtward/worker`: the Cloudflare Worker that guards an API, as a module default export.
//
//   import { createWorker } from 'jwtward/worker';
//   import policy from './policy.json';
//   export default createWorker(policy);
//
// Allowed requests go to the origin: a service binding `ORIGIN` (another Worker) if there is one, else
// `ORIGIN_URL` (the request's path and query appended to its path), else demo mode (the verified
// identity as JSON). In workerd the bindings are read when the module loads (worker.workerd.js), so a
// bad ORIGIN_URL stops the Worker at startup; elsewhere (Node, tests) from the first request's `env`.

import { createEngine } from '../guard/engine.js';
import { passOn } from '../guard/forward.js';
import { consoleLog } from '../guard/log.js';
import { errorAnswer, jsonAnswer, toResponse, withHeaders } from '../guard/responses.js';

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
    },
    forwardedHeaders: identity,
    note: 'No ORIGIN_URL or ORIGIN binding is configured, so the Worker answers with the identity it would forward.',
  });
}

/**
 * The Worker for a policy document. Throws at startup for an invalid policy (PolicyError), keys or
 * options jwtward refuses, and an invalid ORIGIN_URL in `options.env`.
 * @param {unknown} policy the policy JSON (parsed)
 * @param {{ env?: object, log?: (record: object) => void }} [options] `env`: the bindings, when known
 *   before the first request; `log`: where audit records go (default: one JSON line on stdout each)
 * @returns {{ fetch(request: Request, env: object, ctx: object): Promise<Response> }}
 */
function createWorker(policy, options = {}) {
  const engine = createEngine(policy, { log: options.log ?? consoleLog });
  let origin = options.env === undefined ? undefined : resolveOrigin(options.env);

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
      origin ??= resolveOrigin(env);
      const decision = await engine.decide(request.method, new URL(request.url), request.headers, ctx);
      if (!decision.allow) {
        engine.record(decision, decision.answer.status);
        return toResponse(decision.answer, request.method);
      }
      const response = withHeaders(await send(request, decision), decision.cors);
      engine.record(decision, response.status);
      return response;
    },
  };
}

export { createWorker, resolveOrigin };
