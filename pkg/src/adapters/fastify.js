// `jwtward/fastify`: the route policy as a Fastify plugin (tested with Fastify 5 and 4).
//
//   await fastify.register(jwtward, { policy });
//   fastify.get('/api/orders', async (request) => ({ for: request.auth.sub }));
//
// An onRequest hook on the whole server (the plugin skips Fastify's encapsulation, as fastify-plugin
// would, without depending on it): a request the policy refuses is answered there with the Worker's
// answer; an allowed one continues with `request.auth` (null on a public route, decorated as null), the
// identity headers and no spoofed ones.
//
// Fastify chooses the route before onRequest hooks run, on the path as the client sent it. The guard
// matches the normalised path (dot segments resolved); when the two differ, the request is refused
// (400 ERR_PATH_UNSAFE) rather than checked on one path and routed on another.

import { createEngine } from '../guard/engine.js';
import { errorAnswer } from '../guard/responses.js';
import { NODE_TRANSPORT, addResponseHeaders, applyHeaders, forgetQueryToken, requestView, targetOf, unreadableRequest } from './node-http.js';

/** Sends one of the guard's own answers through Fastify (so its onSend/onResponse hooks see it). */
function send(reply, answer, method) {
  reply.code(answer.status).headers(answer.headers);
  return reply.send(method === 'HEAD' || answer.body === null ? undefined : answer.body);
}

/**
 * The plugin. Options: `policy` (the policy JSON, required), `log` (one audit record per decision),
 * `dpopReplayStore` and `dpopNonceSecret` (engine.js).
 * Registration fails for an invalid policy (PolicyError, every problem listed) and for keys or options
 * jwtward refuses.
 * @param {object} fastify
 * @param {{ policy: unknown, log?: (record: object) => void, dpopReplayStore?: object, dpopNonceSecret?: string | Uint8Array }} options
 */
async function jwtward(fastify, options) {
  const { policy, ...engineOptions } = options ?? {};
  const engine = createEngine(policy, engineOptions);
  fastify.decorateRequest('auth', null);
  fastify.addHook('onRequest', async (request, reply) => {
    const req = request.raw;
    const view = requestView(req, req.url);
    if (view === null) return send(reply, unreadableRequest(), req.method);
    const decision = await engine.decide(req.method, view.url, view.headers, undefined, NODE_TRANSPORT, req);
    if (decision.allow && !samePath(req.url, decision.url)) {
      decision.allow = false;
      decision.entry.decision = 'deny';
      decision.entry.code = 'ERR_PATH_UNSAFE';
      decision.answer = errorAnswer(400, 'invalid_request', 'ERR_PATH_UNSAFE', 'the path is not in normal form (dot segments): it would be routed on another path than the one checked');
    }
    if (!decision.allow) {
      engine.record(decision, decision.answer.status);
      return send(reply, decision.answer, req.method);
    }
    engine.record(decision);
    applyHeaders(req, decision);
    const target = targetOf(decision.url);
    if (req.url !== target) {
      // Only the query token can differ here: out of the URL and out of the parsed query.
      req.url = target;
      forgetQueryToken(request.query, decision.url);
    }
    request.auth = decision.auth;
    addResponseHeaders((name, value) => reply.header(name, value), (name, value) => reply.header(name, value), decision.headers);
    return undefined;
  });
}

// Whether Fastify routed the path the guard checked: the path of the raw request target, byte for
// byte, against the guard's (dot segments resolved, characters the URL parser escapes escaped).
function samePath(target, url) {
  const query = target.indexOf('?');
  const rawPath = query === -1 ? target : target.slice(0, query);
  return rawPath === url.pathname;
}

// fastify-plugin's markers, without the dependency: the hook and the decorator apply to the whole
// server, not to a child context.
jwtward[Symbol.for('skip-override')] = true;
jwtward[Symbol.for('fastify.display-name')] = 'jwtward';
jwtward[Symbol.for('plugin-meta')] = { name: 'jwtward', fastify: '>=4' };

export { jwtward };
