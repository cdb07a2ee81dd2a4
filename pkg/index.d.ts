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

/**
 * No keys to verify with: the issuer could not be reached (or sent only documents that were
 * refused) and no earlier keys may serve; or sync `verify` before remote keys are loaded. Not a
 * verdict on the token: a server answers 503 (`retryAfter` seconds), not 401.
 */
export type KeysErrorCode = 'ERR_JWKS_UNAVAILABLE';

/** Every `JwtError['code']`. */
export type JwtErrorCode = VerifyErrorCode | ConfigErrorCode | KeysErrorCode;

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

/**
 * The expected value of a custom claim (`claims` option): a JSON value, compared with the
 * token's by exact value. Numbers must be finite, and integers safe (`Number.isSafeInteger`):
 * a larger integer must be a `bigint` (`1234567890123456789n`, within the 64-bit range),
 * because JavaScript has already rounded the number literal. `undefined`, functions, symbols,
 * `NaN`, `Infinity` and objects other than plain objects and arrays are refused
 * (`ERR_OPTIONS_INVALID`, `field: 'claims.<name>'`), never silently changed as `JSON.stringify`
 * would.
 */
export type ClaimValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | readonly ClaimValue[]
  | { readonly [key: string]: ClaimValue };

/** A JSON Web Key Set: `{ "keys": [...] }`. */
export interface JwkSet {
  keys: Jwk[];
}

/**
 * Options of `new Verifier(options)` with the keys given as `jwks`. Unknown option names throw
 * `ERR_OPTIONS_INVALID`. Keys from the issuer instead: RemoteVerifierOptions, IssuersVerifierOptions.
 */
export interface VerifierOptions {
  /**
   * The JWK Set, as an object or as its JSON text (parsed once, keys imported once), or a
   * `RemoteJwks` shared with other Verifiers. A URL here is refused with a hint: use `jwksUri`.
   */
  jwks: JwkSet | string | RemoteJwks;
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
  /** Scopes that must all be granted by the scope claims (`scopeClaims`; by default `scope` and `scp`). */
  requiredScopes?: readonly string[];
  /**
   * The claims that grant scopes (non-empty, names non-empty), replacing the default
   * `['scope', 'scp']`: e.g. `['scp', 'roles']` for Entra ID (application permissions are
   * `roles`), `['permissions']` for Auth0 RBAC. Each, when present, must be a space-separated
   * string or an array of strings, else the token is `ERR_JWT_MALFORMED` (with `claim`).
   * A name starting with `/` is a JSON Pointer (RFC 6901) to a member inside the claims, e.g.
   * Keycloak's `'/realm_access/roles'` and `'/resource_access/{client}/roles'`.
   * `scopes` in results is their union; `requiredScopes` are looked up in it.
   */
  scopeClaims?: readonly string[];
  /**
   * Custom claims that must equal these values exactly (a plain object; each claim becomes
   * required). Numbers compare by exact value (`1` equals `1.0`); see `ClaimValue` for
   * integers beyond 2^53 (`bigint`) and what is refused.
   */
  claims?: Readonly<Record<string, ClaimValue>>;
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
  /**
   * Where accepted DPoP proofs are remembered, so that a replayed one is refused
   * (`ERR_JWT_BAD_DPOP_PROOF`, claim `jti`). Default: a `memoryReplayStore()` of this Verifier.
   * Share one between Verifiers that accept the same proofs; give an asynchronous one (shared by
   * every instance) to `verifyAsync`.
   */
  dpopReplayStore?: ReplayStore;
}

/**
 * Remembers DPoP proofs (RFC 9449 §11.1). `record` keeps `key` until `expiresAt` (Unix seconds;
 * `now` is the verification's time) and answers whether it was new: `false` refuses the proof as
 * a replay. It must be atomic: of two calls with one key, one answers true. A promise is only
 * for `verifyAsync` (sync `verify` throws a TypeError on one).
 */
export interface ReplayStore {
  record(key: string, expiresAt: number, now: number): boolean | Promise<boolean>;
}

/** How the request presented the token: its DPoP proof (RFC 9449). */
export interface DpopPresentation {
  /** The `DPoP` header's value; `null` or absent when the request has none. */
  proof?: string | null;
  /** The request's method (`htm` must equal it). Required with a proof. */
  method?: string;
  /** The request's absolute URL (`htu` must equal it, compared as URIs, query and fragment ignored). Required with a proof. */
  url?: string | URL;
  /** The nonce(s) this server gave the client (`DPoP-Nonce`): the proof's `nonce` must be one of them. */
  nonce?: string | readonly string[];
}

/** Options of `verify` and `explain`. */
export interface VerifyOptions {
  /** The time to verify at, in Unix seconds (default: the current time). */
  now?: number;
  /**
   * Keeps background work alive (a key refresh near expiry, a refetch for an unknown `kid`, a
   * store write): in Workers `(promise) => ctx.waitUntil(promise)`. Without it, the work runs
   * as long as the runtime lets it.
   */
  waitUntil?: WaitUntil;
  /** The request's DPoP proof, method and URL, for a DPoP-bound token (`cnf.jkt`). */
  dpop?: DpopPresentation;
  /**
   * The TLS client certificate of the request, for a certificate-bound token (`cnf.x5t#S256`,
   * RFC 8705): its DER bytes, or its SHA-256 in base64url.
   */
  clientCertificate?: Uint8Array | ArrayBuffer | { sha256: string };
  /**
   * The `Authorization` scheme the token came with. Default: `'DPoP'` with a proof, else
   * `'Bearer'`; a DPoP-bound token as `'Bearer'` is refused (RFC 9449 §7.2).
   */
  scheme?: 'Bearer' | 'DPoP';
}

/** Hands a promise to the host that must keep it running (`ctx.waitUntil` in Workers). */
export type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Where a key source keeps its last good JWK Set across processes, isolates and restarts. `ttl`
 * is in whole seconds. Built in: `memoryStore()`, `cacheApiStore()`, `kvStore(env.NAME)`.
 */
export interface KeyStore {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  put(key: string, value: string, ttl: number): unknown;
}

/** How a key source fetches and caches (the same on `RemoteJwks` and on a Verifier that fetches). */
export interface KeySourceOptions {
  /** At most one refetch for unknown `kid`s per this many seconds (default 30). */
  cooldown?: number;
  /** Seconds a fetch (connection, headers and body) may take (default 5). */
  timeout?: number;
  /** Shortest TTL of fetched keys, in seconds, whatever `Cache-Control` says (default 60). */
  minTtl?: number;
  /** Longest TTL of fetched keys, in seconds (default 86400). */
  maxTtl?: number;
  /** TTL without `Cache-Control` max-age, in seconds, then clamped (default 600). */
  defaultTtl?: number;
  /** Seconds past their TTL the last good keys keep serving while the issuer fails (default 7 days). */
  maxStale?: number;
  /** The fetch to use (proxies, tests); default the runtime's global `fetch`. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /**
   * Where to keep keys between isolates and restarts; `null` for none. Default: the Cache API
   * in Workers, this process's (or page's) memory elsewhere, shared by every key source.
   */
  store?: KeyStore | null;
  /** Called with what the key source does (for logs and metrics); a throwing hook is ignored. */
  onEvent?: (event: KeyEvent) => void;
  /** The time in milliseconds for TTLs, cooldowns and backoff (default `Date.now`; for tests). */
  clock?: () => number;
  /** Where background work goes when a call gives no `waitUntil` of its own. */
  waitUntil?: WaitUntil;
}

/** Why a key source fetched. */
export type FetchReason = 'cold' | 'expired' | 'near_expiry' | 'unknown_kid';

/** Why a document was not used. */
export type FetchFailureReason =
  | 'timeout'
  | 'network'
  | 'status'
  | 'redirect'
  | 'too_large'
  | 'not_json'
  | 'not_jwks'
  | 'private_key'
  | 'no_usable_key'
  | 'issuer_mismatch'
  | 'bad_metadata'
  | 'internal';

/** What a key source did, for `onEvent`. `issuer` is set when the source has one. */
export type KeyEvent = { issuer?: string } & (
  | { type: 'fetch_started'; what: 'jwks' | 'metadata'; url: string; reason: FetchReason }
  | {
      type: 'fetch_finished';
      what: 'jwks' | 'metadata';
      url: string;
      reason: FetchReason;
      status: number;
      durationMs: number;
      /** How long the document is kept: its Cache-Control, clamped. */
      ttlMs: number;
    }
  | {
      type: 'fetch_failed';
      what: 'jwks' | 'metadata';
      url: string;
      reason: FetchReason;
      error: FetchFailureReason;
      message: string;
      status?: number;
      durationMs: number;
      /** Whether earlier keys keep serving. */
      keysKept: boolean;
    }
  | { type: 'keys_rotated'; url: string; from: 'network' | 'store'; kids: (string | null)[]; added: (string | null)[]; removed: (string | null)[] }
  | { type: 'kid_miss_refused'; url: string | undefined; reason: 'cooldown' | 'backoff'; retryInMs: number }
  | { type: 'store_loaded'; url: string; ageMs: number }
  | { type: 'store_failed'; operation: 'get' | 'put' | 'read'; error: string }
);

/** Options of `new RemoteJwks(options)`: a JWK Set URL, or an issuer to discover it from. */
export type RemoteJwksOptions = KeySourceOptions &
  (
    | {
        /** The JWK Set URL (`https:`, or `http:` on a loopback host). */
        jwksUri: string;
        /** The issuer these keys belong to: Verifiers using them accept tokens of it only. */
        issuer?: string;
        discovery?: false;
      }
    | {
        /** The issuer, exactly as its tokens' `iss` and its metadata's `issuer` say it. */
        issuer: string;
        /** Find `jwks_uri` in the issuer's metadata (OpenID Connect Discovery, then RFC 8414). */
        discovery: true;
        jwksUri?: never;
      }
  );

/** What a key source holds now. */
export interface KeySourceStatus {
  issuer: string | undefined;
  jwksUri: string | undefined;
  /** Keys to verify with (fresh or, while the issuer fails, within `maxStale`). */
  loaded: boolean;
  /** Past their TTL. */
  stale: boolean;
  kids: (string | null)[];
  /** Milliseconds (of `clock`). */
  fetchedAt: number | undefined;
  expiresAt: number | undefined;
  /** Why the last attempt failed, until one succeeds. */
  lastError: FetchFailureReason | undefined;
}

/**
 * A JWK Set fetched from an issuer and cached: give it as `jwks` to several Verifiers and they
 * share its keys, its fetches and its cooldown.
 */
export class RemoteJwks {
  constructor(options: RemoteJwksOptions);
  /** The issuer the keys belong to, when known. */
  readonly issuer: string | undefined;
  /**
   * Loads the keys (store or network) and waits for them to be written to the store. Rejects
   * with `ERR_JWKS_UNAVAILABLE` when none can be had.
   */
  ready(options?: { waitUntil?: WaitUntil }): Promise<void>;
  status(): KeySourceStatus;
}

/** Every option of a Verifier except where its keys come from. */
export type PolicyOptions = Omit<VerifierOptions, 'jwks'>;

type Never<T> = { [K in keyof T]?: never };

/** `new Verifier(options)` with the keys given as `jwks` (inline, or a `RemoteJwks`). */
export type InlineVerifierOptions = VerifierOptions & Never<KeySourceOptions> & { jwksUri?: never; discovery?: false; issuers?: never };

/** `new Verifier(options)` with the keys of one issuer, fetched: from `jwksUri`, or by discovery. */
export type RemoteVerifierOptions = Omit<PolicyOptions, 'issuer'> &
  KeySourceOptions & { jwks?: never; issuers?: never } & (
    | {
        /** The issuer, exactly as its tokens' `iss` and its metadata's `issuer` say it. */
        issuer: string;
        /** Find `jwks_uri` in the issuer's metadata (OpenID Connect Discovery, then RFC 8414). */
        discovery: true;
        jwksUri?: never;
      }
    | {
        issuer?: string | readonly string[];
        /** The JWK Set URL (`https:`, or `http:` on a loopback host). */
        jwksUri: string;
        discovery?: false;
      }
  );

/**
 * One issuer of `issuers`: where its keys come from, and the policy options that differ for it
 * (the others are the Verifier's).
 */
export type IssuerEntry = { issuer: string } & Omit<PolicyOptions, 'issuer' | 'cache' | 'backend' | 'maxTokenLength'> &
  (
    | { discovery: true; jwksUri?: never; jwks?: never }
    | { jwksUri: string; discovery?: false; jwks?: never }
    | { jwks: JwkSet | string | RemoteJwks; discovery?: false; jwksUri?: never }
  );

/**
 * `new Verifier(options)` for several issuers: a token's unverified `iss` picks its entry (an `iss`
 * outside the list is `ERR_JWT_BAD_ISSUER`, with no network access); that entry's keys and policy
 * decide.
 */
export type IssuersVerifierOptions = Omit<PolicyOptions, 'issuer'> &
  KeySourceOptions & { issuers: readonly IssuerEntry[]; issuer?: never; jwks?: never; jwksUri?: never; discovery?: false };

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
  /** The granted scopes: the values of the scope claims (`scopeClaims`; by default `scope` split on spaces, plus `scp`). */
  scopes: string[];
  /** The algorithm that verified the signature. */
  alg: Algorithm;
  /** The `kid` of the JWK that verified the signature (absent when that key has none). */
  kid?: string;
  /** The sender constraint the request proved (only for a bound token): the DPoP key's thumbprint, or the certificate's hash. */
  cnf?: { jkt?: string; 'x5t#S256'?: string };
  /** The DPoP proof that was checked (and recorded in the replay store). */
  dpop?: { jti: string; iat: number; jkt: string };
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
  /** What the scope claims (by default `scope` and `scp`) grant, when they are well-formed. */
  scopes?: string[];
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
  | 'skipped_key'
  | 'unusable_key';

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
      /** What the scope claims grant, when the token decodes and they are well-formed; unverified. */
      scopes?: string[];
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
  constructor(code: JwtErrorCode, message: string, details?: { claim?: string; field?: string; retryAfter?: number });
  readonly name: 'JwtError';
  readonly code: JwtErrorCode;
  /** The claim (or header member) at fault, e.g. `'exp'` for `ERR_JWT_EXPIRED`. */
  readonly claim?: string;
  /** The option at fault, for `ERR_OPTIONS_INVALID` and `ERR_JWKS_INVALID`. */
  readonly field?: string;
  /** For `ERR_JWKS_UNAVAILABLE`: seconds until the issuer is tried again (a `Retry-After`). */
  readonly retryAfter?: number;
}

/** Verifies tokens against a JWK Set (given, or fetched from the issuer) and a policy. */
export class Verifier {
  /**
   * Parses the JWK Set and imports its keys once, or sets up the key sources (nothing is fetched
   * here). Throws `JwtError` (`ERR_OPTIONS_INVALID`, `ERR_JWKS_INVALID`).
   */
  constructor(options: InlineVerifierOptions | RemoteVerifierOptions | IssuersVerifierOptions);
  /**
   * Verifies a token synchronously; throws `JwtError` with a `VerifyErrorCode`, or
   * `ERR_JWKS_UNAVAILABLE` while remote keys are not loaded (see `ready`). Never waits.
   */
  verify<P extends object = {}>(token: string, options?: VerifyOptions): VerifiedToken<P>;
  /**
   * The verdict of `verify`, with WebCrypto doing the signature arithmetic where the runtime
   * has it (Workers, browsers); in Node, `verify`'s result (node:crypto is synchronous). With
   * remote keys, fetches them when it must (none yet, expired, an unknown `kid` once per
   * cooldown) and never otherwise. Rejects with the `JwtError` `verify` would throw, or
   * `ERR_JWKS_UNAVAILABLE` when no keys can be had.
   */
  verifyAsync<P extends object = {}>(token: string, options?: VerifyOptions): Promise<VerifiedToken<P>>;
  /**
   * Loads the remote keys (at once for inline ones); then sync `verify` works. Rejects with
   * `ERR_JWKS_UNAVAILABLE` when a key source has none to give.
   */
  ready(options?: { waitUntil?: WaitUntil }): Promise<void>;
  /** The verdict with every check; never throws for a bad token. Bypasses the cache. */
  explain(token: string, options?: VerifyOptions): Explanation;
  /** Counters of the verified-token cache. */
  cacheStats(): CacheStats;
  /** Releases the WebAssembly memory now (the garbage collector does it otherwise). */
  free(): void;
}

/** Decodes a token without verifying anything. Throws `ERR_JWT_MALFORMED` / `ERR_JWT_TOO_LARGE`. */
export function decode(token: string): DecodedToken;

/** Options of `inspect`. */
export interface InspectOptions {
  /** The claims read for `scopes` (default `['scope', 'scp']`), as the Verifier option of that name. */
  scopeClaims?: string[];
}

/**
 * Decodes a token and lists its risks, without any key. Throws like `decode`, and
 * `ERR_OPTIONS_INVALID` for unknown or ill-typed options.
 */
export function inspect(token: string, options?: InspectOptions): InspectedToken;

/** Warnings about a JWK Set. Throws `ERR_JWKS_INVALID` when it is not a JWK Set. */
export function lintJwks(jwks: JwkSet | string): JwksWarning[];

/** A KeyStore in this process's (or page's) memory. */
export function memoryStore(): KeyStore;

/**
 * A ReplayStore in this process's (or isolate's, or page's) memory: bounded (default 100,000
 * proofs, the ones closest to expiry dropped first when full), entries expire with the `iat`
 * window.
 */
export function memoryReplayStore(options?: { maxEntries?: number }): ReplayStore;

/** A KeyStore in the Workers Cache API (the default in Workers); `cache` default `caches.default`. */
export function cacheApiStore(cache?: {
  match(url: string): Promise<Response | undefined>;
  put(url: string, response: Response): Promise<void>;
}): KeyStore;

/** A KeyStore in Workers KV: `kvStore(env.JWKS)`. */
export function kvStore(namespace: {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}): KeyStore;

/**
 * Resolves when the API is usable. Needed once in browsers (the WebAssembly module is fetched);
 * resolves at once in Node and Workers. `source` overrides where the `.wasm` comes from.
 */
export function ready(
  source?: WebAssembly.Module | BufferSource | Response | Promise<Response> | URL | string,
): Promise<void>;
