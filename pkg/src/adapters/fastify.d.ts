// Type declarations of `jwtward/fastify` (with fastify's own types: `request.auth` is typed).
import type { FastifyPluginAsync } from 'fastify';
import type { Auth, GuardOptions, PolicyInput } from '../guard/index.js';

export type { Auth, AuditRecord, GuardOptions, PolicyDocument, PolicyInput } from '../guard/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified identity; null on a public route. */
    auth: Auth | null;
  }
}

export interface JwtwardPluginOptions extends GuardOptions {
  policy: PolicyInput;
}

/** The plugin: `await fastify.register(jwtward, { policy })`. */
export const jwtward: FastifyPluginAsync<JwtwardPluginOptions>;
