// `jwtward/express`: the route policy as Express middleware (tested with Express 5 and 4; plain Node
// `http` and Connect call middleware the same way).
//
//   app.use(guard(policy));
//   app.get('/api/orders', (req, res) => res.json({ for: req.auth.sub, tenant: req.auth.tenant }));
//
// A request the policy refuses is answered here (401, 403, 404, 405, ...: the Worker's answers) and
// never reaches the application. An allowed one continues with `req.auth` (null on a public route),
// the identity headers, no spoofed ones, and `req.url` as the guard matched it: dot segments resolved,
// a query token removed. So Express routes exactly the path the guard checked.

import { createEngine } from '../guard/engine.js';
import { errorAnswer } from '../guard/responses.js';
import { NODE_TRANSPORT, addResponseHeaders, applyHeaders, forgetQueryToken, requestView, targetOf, unreadableRequest, writeAnswer } from './node-http.js';

/**
 * Express middleware for a policy document (the JSON the Worker takes). Throws at startup for an
 * invalid policy (PolicyError, every problem listed) and for keys or options jwtward refuses.
 * @param {unknown} policy the policy JSON (parsed)
 * @param {{ log?: (record: object) => void, dpopReplayStore?: object, dpopNonceSecret?: string | Uint8Array }} [options]
 *   `log`: one audit record per decision; the DPoP replay store and nonce secret (engine.js)
 * @returns {(req: object, res: object, next: (error?: unknown) => void) => void}
 */
function guard(policy, options) {
  const engine = createEngine(policy, options);

  async function handle(req, res, next) {
    // Express strips a mount path from req.url (app.use('/api', guard(...))): the policy's paths are
    // whole paths, so the guard reads req.originalUrl.
    const base = req.baseUrl ?? '';
    const view = requestView(req, req.originalUrl ?? req.url);
    if (view === null) {
      writeAnswer(res, unreadableRequest(), req.method);
      return;
    }
    const decision = await engine.decide(req.method, view.url, view.headers, undefined, NODE_TRANSPORT, req);
    // Mounted under a path, the path the guard matched must still be under it once normalised
    // (`/api/../admin` is not a request for the /api mount).
    const target = decision.allow ? targetOf(decision.url) : null;
    if (decision.allow && base !== '' && !(target === base || target.startsWith(`${base}/`) || target.startsWith(`${base}?`))) {
      decision.allow = false;
      decision.entry.decision = 'deny';
      decision.entry.code = 'ERR_PATH_UNSAFE';
      decision.answer = errorAnswer(400, 'invalid_request', 'ERR_PATH_UNSAFE', 'the normalised path leaves the path the guard is mounted on');
    }
    if (!decision.allow) {
      engine.record(decision, decision.answer.status);
      writeAnswer(res, decision.answer, req.method);
      return;
    }
    engine.record(decision);
    applyHeaders(req, decision);
    const rest = target.slice(base.length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    req.originalUrl = target;
    // Express 4 parsed the query before any middleware ran (Express 5 parses req.url when read).
    if (Object.hasOwn(req, 'query')) forgetQueryToken(req.query, decision.url);
    req.auth = decision.auth;
    addResponseHeaders((name, value) => res.setHeader(name, value), (name, value) => res.appendHeader(name, value), decision.headers);
    next();
  }

  return function jwtwardGuard(req, res, next) {
    handle(req, res, next).catch(next);
  };
}

export { guard };
