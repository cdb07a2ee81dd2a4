// Type declarations of `jwtward/express`. Express's own types are not needed: with @types/express,
// `req.auth` is typed on Express.Request.
import type { Auth, GuardOptions, PolicyInput } from '../guard/index.js';

export type { Auth, AuditRecord, GuardOptions, PolicyDocument, PolicyInput } from '../guard/index.js';

declare global {
  namespace Express {
    interface Request {
      /** The verified identity; null on a public route. */
      auth: Auth | null;
    }
  }
}

/** Express middleware for a policy; throws PolicyError at startup for an invalid one. */
export function guard(policy: PolicyInput, options?: GuardOptions): (req: object, res: object, next: (error?: unknown) => void) => void;
