// Type declarations of `jwtward/worker`.
import type { ExecutionContextLike, GuardOptions, PolicyInput } from '../guard/index.js';

export type { AuditRecord, PolicyDocument, PolicyInput } from '../guard/index.js';

/** The bindings the Worker reads: where allowed requests go. */
export interface WorkerEnv {
  /** A service binding (another Worker): takes precedence over ORIGIN_URL. */
  ORIGIN?: { fetch(request: Request): Promise<Response> };
  /** An absolute http(s) URL; the request's path and query are appended to its path. */
  ORIGIN_URL?: string;
  /** The secret of the DPoP nonces (at least 32 bytes): required when the policy asks for nonces. */
  DPOP_NONCE_SECRET?: string;
  /** A Durable Object namespace of the DpopReplayStore class: accepted DPoP proofs across isolates. */
  DPOP_REPLAY?: { idFromName(name: string): unknown; get(id: unknown): { record(key: string, expiresAt: number, now: number): Promise<boolean> } };
  [binding: string]: unknown;
}

export interface WorkerOptions extends Pick<GuardOptions, 'log'> {
  /** The bindings, when known before the first request (in workerd they are read at startup). */
  env?: WorkerEnv;
}

/**
 * The Durable Object class of the DPOP_REPLAY binding (workerd only): export it from the Worker's main
 * module (`export { DpopReplayStore } from 'jwtward/worker'`).
 */
export class DpopReplayStore {
  constructor(ctx: unknown, env: unknown);
  /** Whether the proof `key` is new (then recorded until `expiresAt`, Unix seconds). */
  record(key: string, expiresAt: number, now: number): Promise<boolean>;
  alarm(): Promise<void>;
}

/** The Worker: `export default createWorker(policy)`. Throws at startup for an invalid policy or ORIGIN_URL. */
export function createWorker(policy: PolicyInput, options?: WorkerOptions): {
  fetch(request: Request, env: WorkerEnv, ctx: ExecutionContextLike): Promise<Response>;
};
