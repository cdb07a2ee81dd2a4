// TEST ONLY. The tests bundle the Worker once with its "@jwtward/policy" alias pointed here, and give each
// Worker instance its policy through the JWTWARD_TEST_POLICY binding. createWorker (worker/src/index.mjs)
// still compiles the policy at startup, exactly as it does a bundled policy file.
import { env } from 'cloudflare:workers';

export default JSON.parse(env.JWTWARD_TEST_POLICY);
