// Type declarations of `jwtward/hono` (with hono's own types: `c.get('auth')` is typed).
import type { MiddlewareHandler } from 'hono';
import type { Auth, GuardOptions, PolicyInput } from '../guard/index.js';

export type { Auth, AuditRecord, GuardOptions, PolicyDocument, PolicyInput } from '../guard/index.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The verified identity; null on a public route. */
    auth: Auth | null;
  }
}

/** Hono middleware for a policy; throws PolicyError at startup for an invalid one. */
export function guard(policy: PolicyInput, options?: GuardOptions): MiddlewareHandler;
