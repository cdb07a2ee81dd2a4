// `jwtward/hono`: the route policy as Hono middleware, on every runtime Hono runs on (Node through
// @hono/node-server, Workers, Deno, Bun).
//
//   const api = new Hono().use(guard(policy)).get('/api/orders', (c) => c.json(c.get('auth')));
//
// A request the policy refuses is answered here with the Worker's answer. An allowed one continues
// with `c.get('auth')` (null on a public route) and `c.req.raw` as the request to pass on: identity
// headers in, spoofed ones out, a query token out of the URL (so `fetch(c.req.raw)` to an upstream
// forwards what the Worker would). Hono itself is not imported: the middleware is a plain `(c, next)`
// function.

import { createEngine } from '../guard/engine.js';
import { passOn } from '../guard/forward.js';
import { toResponse, withHeaders } from '../guard/responses.js';
import { cloudflareCertificate } from '../guard/sender.js';
import { nodeCertificate } from './node-http.js';

// The transport of a Hono request (guard/sender.js), over its Context: the request URL's origin (on
// Node, @hono/node-server builds it from the Host header and the socket, as the Node adapters do; in
// a Worker it is the URL the client addressed), and the client certificate of the Node TLS socket
// (`c.env.incoming`, @hono/node-server's HttpBindings) or of Cloudflare's `request.cf.tlsClientAuth`.
const HONO_TRANSPORT = Object.freeze({
  origin: (c, url) => url.origin,
  certificate: (c) => nodeCertificate(c.env?.incoming?.socket) ?? cloudflareCertificate(c.req.raw.cf),
});

// The Worker's ctx where Hono has one (Workers). Hono's getter throws where there is none (Node): no
// stack trace is built for that error, which would cost more than the whole guard.
function executionContext(c) {
  const { stackTraceLimit } = Error;
  Error.stackTraceLimit = 0;
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * Hono middleware for a policy document (the JSON the Worker takes). Throws at startup for an invalid
 * policy (PolicyError, every problem listed) and for keys or options jwtward refuses.
 * @param {unknown} policy the policy JSON (parsed)
 * @param {{ log?: (record: object) => void, dpopReplayStore?: object, dpopNonceSecret?: string | Uint8Array }} [options]
 *   `log`: one audit record per decision; the DPoP replay store and nonce secret (guard/engine.js: in
 *   a Worker, give the nonce secret, e.g. from `env` of 'cloudflare:workers')
 * @returns {(c: object, next: () => Promise<void>) => Promise<Response | void>}
 */
function guard(policy, options) {
  const engine = createEngine(policy, options);
  return async function jwtwardGuard(c, next) {
    const request = c.req.raw;
    const url = new URL(request.url);
    const decision = await engine.decide(request.method, url, request.headers, executionContext(c), HONO_TRANSPORT, c);
    if (!decision.allow) {
      engine.record(decision, decision.answer.status);
      return toResponse(decision.answer, request.method);
    }
    engine.record(decision);
    c.set('auth', decision.auth);
    if (decision.url !== url || !changeInPlace(request.headers, decision.changes)) c.req.raw = passOn(request, decision);
    await next();
    if (decision.headers) c.res = withHeaders(c.res, decision.headers);
    return undefined;
  };
}

// The header changes made on the request itself where its headers are mutable (@hono/node-server's
// are): no copy of the request. An incoming Request in workerd (or any guarded Headers) refuses, and the
// request is copied instead; deletes and sets are idempotent, so a copy after a partial change is right.
function changeInPlace(headers, changes) {
  try {
    for (const name of changes.remove) headers.delete(name);
    for (const [name, value] of Object.entries(changes.set)) headers.set(name, value);
    return true;
  } catch {
    return false;
  }
}

export { guard };
