// This repository's own Worker: the same three lines as any user's (examples/worker/). The policy is
// the file wrangler.toml's [alias] "@jwtward/policy" names (the demo: worker/policy.demo.json).
import { createWorker } from 'jwtward/worker';
import policy from '@jwtward/policy';
export default createWorker(policy);
