// Type declarations of `jwtward/guard` and of what every adapter shares: the policy document, `auth`,
// the audit record, the options. Reference of the policy: worker/README.md.

import type { Algorithm, JsonValue, JwkSet, JwtPayload, ReplayStore } from '../../index.js';

/** Which sender-constrained tokens a route requires (jwtward's `senderConstraint`). */
export type SenderConstraint = 'none' | 'dpop' | 'mtls' | 'any';

/** An algorithm a DPoP proof may be signed with: asymmetric only. */
export type DpopAlgorithm = Exclude<Algorithm, 'HS256' | 'HS384' | 'HS512'>;

/** How DPoP proofs are checked (RFC 9449), for every route. */
export interface DpopDocument {
  /** What a proof may be signed with (default: every asymmetric algorithm); the challenges' `algs`. */
  algorithms?: readonly DpopAlgorithm[];
  /** Seconds a proof's `iat` may be from now, either way (default 60, 1-3600). */
  iatWindow?: number;
  /** Server-issued nonces (RFC 9449 §9): `true` (a new one every 300 s) or `{ rotation }` seconds. */
  nonce?: boolean | { rotation?: number };
  /** The scheme://host[:port] clients address (behind a reverse proxy): what `htu` must name. */
  publicOrigin?: string;
}

/** An HTTP method a route names. */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** Where a token may come from besides `Authorization: Bearer` (RFC 6750 §2). */
export interface TokenSources {
  /** A cookie by name (`null` turns a policy-level cookie off for a route). */
  cookie?: string | null;
  /** The `access_token` query parameter (RFC 6750 §2.3): removed from the URL before anything sees it. */
  query?: boolean;
}

/** One route of `routes`: the first whose method and path match wins. */
export interface RouteDocument {
  path: string;
  methods?: readonly Method[] | '*';
  name?: string;
  description?: string;
  /** No token needed; nothing verified, no identity forwarded. */
  public?: boolean;
  /** Every scope required, or all of `allOf` and one of `anyOf`. */
  scopes?: readonly string[] | { allOf?: readonly string[]; anyOf?: readonly string[] };
  /** Fixed values, or `":param"` for equality with a path parameter (tenant isolation). */
  claims?: { readonly [claim: string]: string | number | boolean };
  requiredClaims?: readonly string[];
  /** `{ claim: "Header-Name" }`, merged over the policy's. */
  forwardClaims?: { readonly [claim: string]: string };
  forwardAuthorization?: boolean;
  /** Other methods on this path: 405 (`"deny"`, the default) or handed to the policy's `unmatched`. */
  otherMethods?: 'deny' | 'unmatched';
  tokenSources?: TokenSources;
  /** Over the policy's `senderConstraint`. */
  senderConstraint?: SenderConstraint;
  /** Over the policy's DPoP nonces (their rotation is the policy's). */
  dpop?: { nonce?: boolean };
}

/** One entry of `issuers`: an issuer, where its keys come from, and optionally its own audience. */
export type IssuerDocument = { issuer: string; audience?: string | readonly string[] } & (
  | { jwksUri: string; discovery?: never }
  | { discovery: true; jwksUri?: never }
);

/** The tuning of every key source of the policy, in seconds (jwtward's RemoteJwks options). */
export interface JwksCacheDocument {
  cooldown?: number;
  minTtl?: number;
  maxTtl?: number;
  defaultTtl?: number;
  timeout?: number;
  maxStale?: number;
}

export interface CorsDocument {
  allowOrigins: readonly string[];
  allowMethods?: readonly Method[];
  allowHeaders?: readonly string[];
  exposeHeaders?: readonly string[];
  maxAge?: number;
  allowCredentials?: boolean;
}

/** The route policy: the JSON document the Worker and every adapter take. */
export interface PolicyDocument {
  $schema?: string;
  description?: string;
  realm?: string;
  issuer?: string | readonly string[];
  audience?: string | readonly string[];
  algorithms: readonly Algorithm[];
  typ?: string;
  clockTolerance?: number;
  maxTokenAge?: number;
  maxTokenLength?: number;
  requiredClaims?: readonly string[];
  claims?: { readonly [claim: string]: string | number | boolean };
  /** Where granted scopes are read (jwtward's default: `scope`, `scp`). */
  scopeClaims?: readonly string[];
  /** Exactly one of `jwks`, `jwksUri`, `discovery`, `issuers`. */
  jwks?: JwkSet;
  jwksUri?: string;
  discovery?: true;
  issuers?: readonly IssuerDocument[];
  jwksCache?: JwksCacheDocument;
  publishJwks?: { path: string; jwks: JwkSet };
  /** RFC 9728: the resource identifier; the guard serves its metadata and names it in every 401. */
  resource?: string;
  tokenSources?: TokenSources;
  tenantClaim?: string;
  forwardClaims?: { readonly [claim: string]: string };
  forwardAuthorization?: boolean;
  forwardMethodOverride?: boolean;
  keepUnderscoreHeaders?: boolean;
  unmatched?: 'deny' | 'authenticate' | 'public';
  cors?: CorsDocument;
  /** Default `"none"`: unbound tokens too; bound ones need their proof or certificate. */
  senderConstraint?: SenderConstraint;
  dpop?: DpopDocument;
  /** Which client certificates count (RFC 8705): verified by the TLS server (default), or any presented. */
  mtls?: { certificate?: 'verified' | 'presented' };
  routes: readonly RouteDocument[];
}

/**
 * What the guard functions take: a PolicyDocument, or the value of a JSON import (whose strings
 * TypeScript does not narrow to the document's literal types). Validated completely at startup.
 */
export type PolicyInput = PolicyDocument | Readonly<Record<string, unknown>>;

/** The verified identity: `req.auth`, `request.auth`, `c.get('auth')`, `outcome.auth`. */
export interface Auth<C extends object = {}> {
  sub: string | null;
  /** `client_id`, else `azp`. */
  clientId: string | null;
  /** The claim named by the policy's `tenantClaim` (default `tenant_id`), as the token has it. */
  tenant: JsonValue | null;
  /** The granted scopes, from the policy's `scopeClaims`. */
  scopes: string[];
  iss: string | null;
  aud: string | string[] | null;
  /** Unix seconds. */
  exp: number | null;
  /** The `kid` of the key that verified the token. */
  kid: string | null;
  alg: Algorithm;
  /** The verified payload. */
  claims: JwtPayload & C;
  /** The name of the matched route. */
  route: string;
  /** The confirmed binding: `{ jkt }` (DPoP) or `{ 'x5t#S256' }` (mTLS); null for an unbound token. */
  cnf: { jkt?: string; 'x5t#S256'?: string } | null;
}

/**
 * One audit record: `event` is `request` (one per decision), `policy_warning` (at startup) or a key
 * source event (`jwks_fetch_finished`, `jwks_fetch_failed`, ...). Never holds a token.
 */
export interface AuditRecord {
  ts: string;
  event: string;
  [field: string]: JsonValue | undefined;
}

export interface GuardOptions {
  /** Receives every audit record (default: none; the Worker logs them as JSON lines). */
  log?: (record: AuditRecord) => void;
  /** Where accepted DPoP proofs are remembered, shared by every route (default: this guard's memory). */
  dpopReplayStore?: ReplayStore;
  /** The secret (at least 32 bytes) of the DPoP nonces (default: random, per process or isolate). */
  dpopNonceSecret?: string | Uint8Array;
}

/** The Worker's ctx, or anything that keeps background work alive. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

export type GuardOutcome =
  | {
      allow: true;
      /** null on a public route. */
      auth: Auth | null;
      /** The request to pass on: identity headers in, spoofed ones out, no query token; it takes over the body. */
      readonly request: Request;
      /** Headers to add to your response: CORS for an allowed Origin, `DPoP-Nonce` where the route asks for nonces. */
      headers: Record<string, string> | null;
    }
  | { allow: false; response: Response };

export interface Guard {
  /** Settings of the policy that weaken a default, as `"<field>: <why>"`. */
  readonly warnings: readonly string[];
  check(request: Request, ctx?: ExecutionContextLike): Promise<GuardOutcome>;
}

/** A guard for a policy; throws PolicyError (or jwtward's JwtError for keys or options) at startup. */
export function createGuard(policy: PolicyInput, options?: GuardOptions): Guard;

/**
 * A `log` hook writing each audit record as one JSON line, the lines of one turn of the event loop
 * in one `write` call (a `console.log` per request is a write system call each): e.g.
 * `guard(policy, { log: jsonLines((text) => process.stdout.write(text)) })`.
 */
export function jsonLines(write: (text: string) => void): (record: AuditRecord) => void;

/** A validated, compiled policy (its structure is internal); throws PolicyError. */
export function compilePolicy(policy: unknown): { readonly warnings: readonly string[] };

/** An invalid policy: every problem, as `"<field>: <what is wrong>"`. */
export class PolicyError extends Error {
  readonly code: 'ERR_POLICY_INVALID';
  readonly problems: readonly string[];
}
