// The Worker's entry point.
//
// The policy is a JSON file that wrangler bundles in: wrangler.toml maps the module name
// "@jwtward/policy" to it with [alias] (the demo: worker/policy.demo.json). Protecting another API is a
// new policy file and one line of wrangler.toml, no code.
//
// Everything is validated here, at module scope, before the first request: a policy that does not
// compile, keys or options jwtward refuses, or a malformed ORIGIN_URL throw now, so `wrangler dev`
// prints the problem and Cloudflare refuses the upload, instead of a Worker that starts and then fails
// (or, worse, lets requests through) one request at a time.

import policyJson from '@jwtward/policy';
import { env } from 'cloudflare:workers';
import { compilePolicy } from './policy.mjs';
import { createGuard } from './guard.mjs';
import { logLine } from './log.mjs';

const policy = compilePolicy(policyJson);
// Valid settings that weaken a default (`unmatched` other than "deny", ...): one log line each.
for (const warning of policy.warnings) {
  const at = warning.indexOf(': ');
  logLine({ event: 'policy_warning', field: warning.slice(0, at), message: warning.slice(at + 2) });
}
const guard = createGuard(policy, env);

export default {
  fetch(request, env, ctx) {
    return guard.fetch(request, env, ctx);
  },
};
