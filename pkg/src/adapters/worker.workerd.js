// `jwtward/worker` in workerd (export condition `workerd`): the bindings are read when the module loads,
// through `cloudflare:workers`, so an invalid ORIGIN_URL stops the Worker at startup (wrangler dev
// prints it, Cloudflare refuses the upload) instead of failing one request at a time. DpopReplayStore:
// the Durable Object class of the DPOP_REPLAY binding (dpop-replay.workerd.js).
import { env } from 'cloudflare:workers';
import { createWorker as createWorkerFor } from './worker.js';
import { DpopReplayStore } from './dpop-replay.workerd.js';

/**
 * The Worker for a policy document; see worker.js.
 * @param {unknown} policy
 * @param {{ log?: (record: object) => void }} [options]
 */
function createWorker(policy, options = {}) {
  return createWorkerFor(policy, { env, ...options });
}

export { DpopReplayStore, createWorker };
