// Type declarations of the npm package `jwtward` (every runtime entry has the same API).

/** Any value JSON can carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The JWS algorithms jwtward verifies (RFC 7518, RFC 8037 `EdDSA`, RFC 9864 `Ed25519`). */
export type Algorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

/** The algorithms that can sign a DPoP proof (RFC 9449 §4.2: asymmetric only). */
export type AsymmetricAlgorithm = Exclude<Algorithm, 'HS256' | 'HS384' | 'HS512'>;

/** Why a token was rejected: `ERR_JWT_` + the core's stable code in upper case. */
export type VerifyErrorCode =
  | 'ERR_JWT_MALFORMED'
  | 'ERR_JWT_TOO_LARGE'
  | 'ERR_JWT_UNSUPPORTED_ALG'
  | 'ERR_JWT_ALG_NOT_ALLOWED'
  | 'ERR_JWT_KEY_NOT_FOUND'
  | 'ERR_JWT_KEY_MISMATCH'
  | 'ERR_JWT_BAD_SIGNATURE'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_NOT_YET_VALID'
  | 'ERR_JWT_ISSUED_IN_FUTURE'
  | 'ERR_JWT_TOO_OLD'
  | 'ERR_JWT_BAD_ISSUER'
  | 'ERR_JWT_BAD_AUDIENCE'
  | 'ERR_JWT_BAD_SUBJECT'
  | 'ERR_JWT_BAD_CLAIM'
  | 'ERR_JWT_MISSING_CLAIM'
  | 'ERR_JWT_INSUFFICIENT_SCOPE'
  | 'ERR_JWT_BAD_TYP'
  | 'ERR_JWT_UNSUPPORTED_CRIT'
  /** The DPoP proof is invalid; `claim` names the part (`proof`, `typ`, `alg`, `jwk`, `signature`, `htm`, `htu`, `iat`, `jti`, `ath`, `nonce`). */
  | 'ERR_JWT_BAD_DPOP_PROOF'
  /** The sender constraint does not hold (`cnf`): a bound token without its proof or certificate, or as a Bearer token; another key or certificate; an unbound token where binding is required. */
  | 'ERR_JWT_BAD_BINDING';

/** A caller mistake, thrown by `new Verifier(...)` (and `lintJwks`), never by `verify`. */
export type ConfigErrorCode = 'ERR_OPTIONS_INVALID' | 'ERR_JWKS_INVALID';

/** Every `JwtError['code']`. */
export type JwtErrorCode = VerifyErrorCode | ConfigErrorCode;

/** One JSON Web Key (RFC 7517). Only public members are used; unusable keys are skipped. */
export interface Jwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  crv?: string;
  [member: string]: JsonValue | undefined;
}

/** A JSON Web Key Set: `{ "keys": [...] }`. */
export interface JwkSet {
  keys: Jwk[];
}

/** Options of `new Verifier(options)`. Unknown option names throw `ERR_OPTIONS_INVALID`. */
export interface VerifierOptions {
  /** The JWK Set, as an object or as its JSON text. Parsed once, keys imported once. */
  jwks: JwkSet | string;
  /** Allowed algorithms (non-empty); default: every supported one, each still bound to its key type. */
  algorithms?: readonly Algorithm[];
  /** Accepted issuer(s); when set, `iss` is required. An empty list is refused (omit the option instead). */
  issuer?: string | readonly string[];
  /**
   * Accepted audience(s); when set, `aud` is required. A token with `aud` and no audience
   * configured is rejected. An empty list is refused (omit the option instead).
   */
  audience?: string | readonly string[];
  /** Required `sub`. */
  subject?: string;
  /** Required header `typ`, e.g. `'at+jwt'` (case-insensitive; `application/` is implied without a `/`). */
  typ?: string;
  /** Claims that must be present. */
  requiredClaims?: readonly string[];
  /** Scopes that must all be granted by `scope` (space-separated) or `scp`. */
  requiredScopes?: readonly string[];
  /** Custom claims that must equal these JSON values exactly. */
  claims?: Readonly<Record<string, JsonValue>>;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds (integer, default 0). */
  clockTolerance?: number;
  /** Reject tokens whose `iat` is older than this many seconds (requires `iat`). */
  maxTokenAge?: number;
  /** Reject tokens longer than this many bytes (default 65536). */
  maxTokenLength?: number;
  /**
   * The verified-token cache (on by default, 1000 entries): a repeated token skips the signature
   * check; time claims are still checked on every call. `false` (or `maxEntries: 0`) turns it off.
   */
  cache?: boolean | { maxEntries?: number };
  /**
   * Where the arithmetic of RSA, ECDSA and Ed25519 signature checks runs. `'auto'` (default):
   * the runtime's crypto where it is faster (node:crypto for RSA and ECDSA in Node; WebCrypto in
   * `verifyAsync` in Workers and browsers), with every other check, and the verdict, in the
   * WebAssembly core. `'wasm'`: always the core (the portable path). Verdicts are the same.
   */
  backend?: 'auto' | 'wasm';
  /**
   * Which sender-constrained tokens are required: `'dpop'` (RFC 9449, `cnf.jkt`), `'mtls'`
   * (RFC 8705, `cnf.x5t#S256`), `'any'` (either), or `'none'` (default: unbound tokens are
   * accepted). Whatever it says, a bound token is accepted only with its DPoP proof or client
   * certificate (`ERR_JWT_BAD_BINDING` otherwise).
   */
  senderConstraint?: 'none' | 'dpop' | 'mtls' | 'any';
  /** Algorithms a DPoP proof may be signed with (non-empty); default: every asymmetric one. */
  dpopAlgorithms?: readonly AsymmetricAlgorithm[];
  /** Seconds a DPoP proof's `iat` may be from now, either way (integer, default 60, at most 3600). */
  dpopIatWindow?: number;
}

/** Options of `verify` and `explain`. */
export interface VerifyOptions {
  /** The time to verify at, in Unix seconds (default: the current time). */
  now?: number;
}

/** A JOSE header. */
export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
  cty?: string;
  crit?: string[];
  jku?: string;
  x5u?: string;
  jwk?: { [member: string]: JsonValue };
  x5c?: string[];
  [member: string]: JsonValue | undefined;
}

/** JWT claims; the registered ones (RFC 7519 §4.1) typed, plus the OAuth scope claims. */
export interface JwtPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  /** Unix seconds. */
  exp?: number;
  /** Unix seconds. */
  nbf?: number;
  /** Unix seconds. */
  iat?: number;
  jti?: string;
  /** Space-separated scopes (RFC 8693 / RFC 9068). */
  scope?: string;
  scp?: string | string[];
  [claim: string]: JsonValue | undefined;
}

/**
 * What `verify` returns. `P` types your own claims: `verifier.verify<{ tenant_id: string }>(token)`.
 * A fresh object on every call, cache hits included. `header` and `payload` keep the token's member
 * order.
 */
export interface VerifiedToken<P extends object = {}> {
  header: JwtHeader;
  payload: JwtPayload & P;
  /** The granted scopes: `scope` split on spaces, plus `scp`. */
  scopes: string[];
  /** The algorithm that verified the signature. */
  alg: Algorithm;
  /** The `kid` of the JWK that verified the signature (absent when that key has none). */
  kid?: string;
}

/** What `decode` returns: nothing in it is verified. */
export interface DecodedToken {
  header: JwtHeader;
  payload: JwtPayload;
}

/** Codes of `inspect` warnings (new codes may be added in minor versions). */
export type TokenWarningCode =
  | 'alg_none'
  | 'symmetric_alg'
  | 'unknown_alg'
  | 'no_exp'
  | 'long_lifetime'
  | 'key_in_header'
  | 'crit'
  | 'large_token';

/** A risk visible in a token without any key. */
export interface TokenWarning {
  code: TokenWarningCode | (string & {});
  message: string;
}

/** What `inspect` returns: nothing in it is verified. */
export interface InspectedToken extends DecodedToken {
  warnings: TokenWarning[];
}

/** Codes of `lintJwks` warnings. */
export type JwksWarningCode =
  | 'missing_alg'
  | 'duplicate_kid'
  | 'weak_rsa_key'
  | 'encryption_key'
  | 'private_members'
  | 'mixed_symmetric'
  | 'unsupported_key'
  | 'skipped_key';

/** A warning about a JWK Set. */
export interface JwksWarning {
  /** The key concerned, when it has a `kid`. */
  kid?: string;
  code: JwksWarningCode;
  message: string;
}

export type CheckStatus = 'passed' | 'failed' | 'not_reached' | 'skipped';

/** One line of the `explain` checklist. */
export interface Check {
  /**
   * Stable id: `size`, `structure`, `header`, `crit`, `algorithm`, `key`, `signature`, `payload`,
   * `typ`, ..., `scopes`, then the sender constraint: `cnf`, `sender_constraint`, `dpop_proof`,
   * `dpop_typ`, `dpop_alg`, `dpop_jwk`, `dpop_signature`, `dpop_htm`, `dpop_htu`, `dpop_iat`,
   * `dpop_jti`, `dpop_ath`, `dpop_nonce`, `cnf_jkt`, `cnf_x5t`.
   */
  id: string;
  label: string;
  status: CheckStatus;
  detail: string;
}

/** What `explain` returns: the verdict `verify` would give, with every check. */
export type Explanation =
  | {
      valid: true;
      checks: Check[];
      header: JwtHeader;
      payload: JwtPayload;
      scopes: string[];
      alg: Algorithm;
      kid?: string;
    }
  | {
      valid: false;
      code: VerifyErrorCode;
      message: string;
      claim?: string;
      checks: Check[];
      /** Present when the token decodes; unverified. */
      header?: JwtHeader;
      /** Present when the token decodes; unverified. */
      payload?: JwtPayload;
    };

/** Counters of the verified-token cache. */
export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  maxEntries: number;
}

/** Every failure of jwtward. Match on `code`, never on `message`. */
export class JwtError extends Error {
  constructor(code: JwtErrorCode, message: string, details?: { claim?: string; field?: string });
  readonly name: 'JwtError';
  readonly code: JwtErrorCode;
  /** The claim (or header member) at fault, e.g. `'exp'` for `ERR_JWT_EXPIRED`. */
  readonly claim?: string;
  /** The option at fault, for `ERR_OPTIONS_INVALID` and `ERR_JWKS_INVALID`. */
  readonly field?: string;
}

/** Verifies tokens against one JWK Set and one policy. */
export class Verifier {
  /** Parses the JWK Set and imports its keys once. Throws `JwtError` (`ERR_OPTIONS_INVALID`, `ERR_JWKS_INVALID`). */
  constructor(options: VerifierOptions);
  /** Verifies a token synchronously; throws `JwtError` with a `VerifyErrorCode`. */
  verify<P extends object = {}>(token: string, options?: VerifyOptions): VerifiedToken<P>;
  /**
   * The verdict of `verify`, with WebCrypto doing the signature arithmetic where the runtime
   * has it (Workers, browsers); in Node, `verify`'s result (node:crypto is synchronous). Rejects
   * with the `JwtError` `verify` would throw.
   */
  verifyAsync<P extends object = {}>(token: string, options?: VerifyOptions): Promise<VerifiedToken<P>>;
  /** The verdict with every check; never throws for a bad token. Bypasses the cache. */
  explain(token: string, options?: VerifyOptions): Explanation;
  /** Counters of the verified-token cache. */
  cacheStats(): CacheStats;
  /** Releases the WebAssembly memory now (the garbage collector does it otherwise). */
  free(): void;
}

/** Decodes a token without verifying anything. Throws `ERR_JWT_MALFORMED` / `ERR_JWT_TOO_LARGE`. */
export function decode(token: string): DecodedToken;

/** Decodes a token and lists its risks, without any key. Throws like `decode`. */
export function inspect(token: string): InspectedToken;

/** Warnings about a JWK Set. Throws `ERR_JWKS_INVALID` when it is not a JWK Set. */
export function lintJwks(jwks: JwkSet | string): JwksWarning[];

/**
 * Resolves when the API is usable. Needed once in browsers (the WebAssembly module is fetched);
 * resolves at once in Node and Workers. `source` overrides where the `.wasm` comes from.
 */
export function ready(
  source?: WebAssembly.Module | BufferSource | Response | Promise<Response> | URL | string,
): Promise<void>;
