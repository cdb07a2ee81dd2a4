// TEST ONLY: the guard table's Hono app as a Worker. Its policy comes from the JWTWARD_TEST_POLICY
// binding (one bundle serves every policy); audit records go to stdout, one JSON line each.
import { env } from 'cloudflare:workers';
import { honoApp } from '../guard-hono-app.mjs';

export default honoApp(JSON.parse(env.JWTWARD_TEST_POLICY), { log: (record) => console.log(JSON.stringify(record)) });
