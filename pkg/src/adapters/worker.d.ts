// Type declarations of `jwtward/worker`.
import type { ExecutionContextLike, GuardOptions, PolicyInput } from '../guard/index.js';

export type { AuditRecord, PolicyDocument, PolicyInput } from '../guard/index.js';

/** The bindings the Worker reads: where allowed requests go. */
export interface WorkerEnv {
  /** A service binding (another Worker): takes precedence over ORIGIN_URL. */
  ORIGIN?: { fetch(request: Request): Promise<Response> };
  /** An absolute http(s) URL; the request's path and query are appended to its path. */
  ORIGIN_URL?: string;
  [binding: string]: unknown;
}

export interface WorkerOptions extends GuardOptions {
  /** The bindings, when known before the first request (in workerd they are read at startup). */
  env?: WorkerEnv;
}

/** The Worker: `export default createWorker(policy)`. Throws at startup for an invalid policy or ORIGIN_URL. */
export function createWorker(policy: PolicyInput, options?: WorkerOptions): {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContextLike): Promise<Response>;
};
