// `jwtward/hono`: the route policy as Hono middleware, on every runtime Hono runs on (Node through
// @hono/node-server, Workers, Deno, Bun).
//
//   const api = new Hono().use(guard(policy)).get('/api/orders', (c) => c.json(c.get('auth')));
//
// A request the policy refuses is answered here with the Worker's answer. An allowed one continues
// with `c.get('auth')` (null on a public route) and `c.req.raw` replaced by the request to pass on:
// identity headers in, spoofed ones out, a query token out of the URL (so `fetch(c.req.raw)` to an
// upstream forwards what the Worker would). Hono itself is not imported: the middleware is a plain
// `(c, next)` function.

import { createGuard } from '../guard/index.js';
import { withHeaders } from '../guard/responses.js';

// The Worker's ctx where Hono has one (Workers); Hono's getter throws elsewhere.
function executionContext(c) {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/**
 * Hono middleware for a policy document (the JSON the Worker takes). Throws at startup for an invalid
 * policy (PolicyError, every problem listed) and for keys or options jwtward refuses.
 * @param {unknown} policy the policy JSON (parsed)
 * @param {{ log?: (record: object) => void }} [options] `log`: one audit record per decision
 * @returns {(c: object, next: () => Promise<void>) => Promise<Response | void>}
 */
function guard(policy, options) {
  const g = createGuard(policy, options);
  return async function jwtwardGuard(c, next) {
    const outcome = await g.check(c.req.raw, executionContext(c));
    if (!outcome.allow) return outcome.response;
    c.set('auth', outcome.auth);
    c.req.raw = outcome.request;
    await next();
    if (outcome.cors) c.res = withHeaders(c.res, outcome.cors);
    return undefined;
  };
}

export { guard };
