// `jwtward/worker` in workerd (export condition `workerd`): the bindings are read when the module loads,
// through `cloudflare:workers`, so an invalid ORIGIN_URL stops the Worker at startup (wrangler dev
// prints it, Cloudflare refuses the upload) instead of failing one request at a time.
import { env } from 'cloudflare:workers';
import { createWorker as createWorkerFor } from './worker.js';

/**
 * The Worker for a policy document; see worker.js.
 * @param {unknown} policy
 * @param {{ log?: (record: object) => void }} [options]
 */
function createWorker(policy, options = {}) {
  return createWorkerFor(policy, { env, ...options });
}

export { createWorker };
