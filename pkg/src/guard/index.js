// `jwtward/guard`: the route policy of the Worker for any fetch-style server (Workers, Deno, Bun,
// undici, service workers): a Request in, the verified identity or the answer out.
//
//   const g = createGuard(policy);
//   const outcome = await g.check(request);   // { allow: true, auth, request } | { allow: false, response }
//
// The engine (engine.js) decides; this file only turns a fetch Request into what it reads and its
// decision into a Response.

import { createEngine } from './engine.js';
import { compilePolicy, PolicyError } from './policy.js';
import { passOn } from './forward.js';
import { toResponse } from './responses.js';
import { FETCH_TRANSPORT } from './sender.js';
import { jsonLines } from './log.js';

/**
 * A guard for a policy document (the JSON the Worker takes). Throws a PolicyError listing every problem
 * of the policy, or jwtward's error for keys or options it refuses: at startup, never per request.
 * @param {unknown} policy the policy JSON (parsed)
 * @param {{ log?: (record: object) => void, dpopReplayStore?: object, dpopNonceSecret?: string | Uint8Array }} [options]
 *   `log`: one audit record per decision (and per key fetch, and per policy warning at creation),
 *   default none; `dpopReplayStore`: where accepted DPoP proofs are remembered (default: memory);
 *   `dpopNonceSecret`: the secret of the DPoP nonces (default: random, per process or isolate)
 */
function createGuard(policy, options) {
  const engine = createEngine(policy, options);
  return {
    /** Settings of the policy that weaken a default, as "<field>: <why>" (also sent to `log`). */
    warnings: engine.policy.warnings,
    /**
     * @param {Request} request
     * @param {{ waitUntil?(promise: Promise<unknown>): void }} [ctx] the Worker's ctx (key refreshes
     *   outlive the request through it)
     * @returns {Promise<{ allow: true, auth: object | null, request: Request, headers: Record<string, string> | null }
     *   | { allow: false, response: Response }>} `auth` is null on a public route; `request` is the
     *   request to pass on (built on first access; it takes over the body); `headers`: headers to add
     *   to your response (CORS for an allowed Origin, `DPoP-Nonce` where the route asks for nonces)
     */
    async check(request, ctx) {
      const decision = await engine.decide(request.method, new URL(request.url), request.headers, ctx, FETCH_TRANSPORT, request);
      if (!decision.allow) {
        engine.record(decision, decision.answer.status);
        return { allow: false, response: toResponse(decision.answer, request.method) };
      }
      engine.record(decision);
      let forwarded;
      return {
        allow: true,
        auth: decision.auth,
        get request() {
          forwarded ??= passOn(request, decision);
          return forwarded;
        },
        headers: decision.headers,
      };
    },
  };
}

export { createGuard, compilePolicy, jsonLines, PolicyError };
