// Type-level tests of pkg/index.d.ts, checked by `tsc --noEmit` (pkg/test/types.test.mjs).
// Each `@ts-expect-error` line must be an error: tsc fails if the declarations get too loose.
import {
  JwtError,
  RemoteJwks,
  Verifier,
  cacheApiStore,
  decode,
  inspect,
  kvStore,
  lintJwks,
  memoryReplayStore,
  memoryStore,
  ready,
  type Algorithm,
  type CacheStats,
  type Check,
  type ConfigErrorCode,
  type Explanation,
  type JwksWarningCode,
  type JwtErrorCode,
  type JwtHeader,
  type JwtPayload,
  type ReplayStore,
  type KeyEvent,
  type KeyStore,
  type KeysErrorCode,
  type VerifiedToken,
  type VerifierOptions,
  type VerifyErrorCode,
} from 'jwtward';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}

// Options: every documented option, precisely typed.
const options: VerifierOptions = {
  jwks: { keys: [{ kty: 'RSA', kid: 'k', alg: 'RS256', n: 'AQAB', e: 'AQAB' }] },
  algorithms: ['RS256', 'ES256', 'EdDSA', 'Ed25519'],
  issuer: 'https://issuer.example',
  audience: ['api://orders', 'api://billing'],
  subject: 'client-42',
  typ: 'at+jwt',
  requiredClaims: ['tenant_id'],
  requiredScopes: ['orders:read'],
  scopeClaims: ['scp', 'roles'],
  claims: { tenant_id: 'acme', level: 5, flags: [true, null], org: { id: 'x' }, org_id: 1234567890123456789n },
  clockTolerance: 30,
  maxTokenAge: 3600,
  maxTokenLength: 8192,
  cache: { maxEntries: 1000 },
  senderConstraint: 'dpop',
  dpopAlgorithms: ['ES256', 'EdDSA', 'PS256'],
  dpopIatWindow: 30,
};
new Verifier({ jwks: '{"keys":[]}', cache: false });
new Verifier({ jwks: { keys: [] }, issuer: 'a', cache: true });

// @ts-expect-error: jwks is required
new Verifier({ issuer: 'x' });
// @ts-expect-error: issuers are entries, and not beside jwks
new Verifier({ jwks: '{}', issuers: ['x'] });
// @ts-expect-error: misspelt option
new Verifier({ jwks: '{}', issuerz: 'x' });
// @ts-expect-error: issuer is a string or a list of strings
new Verifier({ jwks: '{}', issuer: 5 });
// @ts-expect-error: 'none' is not an algorithm
new Verifier({ jwks: '{}', algorithms: ['none'] });
// @ts-expect-error: claims values are JSON
new Verifier({ jwks: '{}', claims: { at: new Date() } });
// @ts-expect-error: scopeClaims is a list of names
new Verifier({ jwks: '{}', scopeClaims: 'scp' });
// @ts-expect-error: claims values are JSON or bigint, never undefined
new Verifier({ jwks: '{}', claims: { lvl: undefined } });
// @ts-expect-error: maxEntries is a number
new Verifier({ jwks: '{}', cache: { maxEntries: '10' } });
// @ts-expect-error: seconds are numbers
new Verifier({ jwks: '{}', clockTolerance: '30' });
// @ts-expect-error: no such sender constraint
new Verifier({ jwks: '{}', senderConstraint: 'tls' });
// @ts-expect-error: a DPoP proof is never signed with HMAC
new Verifier({ jwks: '{}', dpopAlgorithms: ['HS256'] });

const verifier = new Verifier(options);

// verify: registered claims typed, your own claims through the type parameter.
const result = verifier.verify('token', { now: 1_750_000_000 });
assertType<Equal<typeof result, VerifiedToken<{}>>>();
assertType<Equal<typeof result.payload.exp, number | undefined>>();
assertType<Equal<typeof result.payload.iat, number | undefined>>();
assertType<Equal<typeof result.payload.nbf, number | undefined>>();
assertType<Equal<typeof result.payload.iss, string | undefined>>();
assertType<Equal<typeof result.payload.sub, string | undefined>>();
assertType<Equal<typeof result.payload.jti, string | undefined>>();
assertType<Equal<typeof result.payload.aud, string | string[] | undefined>>();
assertType<Equal<typeof result.header.alg, string>>();
assertType<Equal<typeof result.alg, Algorithm>>();
assertType<Equal<typeof result.kid, string | undefined>>();
assertType<Equal<typeof result.scopes, string[]>>();
// verifyAsync: the same result, in a promise.
const later = verifier.verifyAsync<{ tenant_id: string }>('token', { now: 1_750_000_000 });
assertType<Equal<typeof later, Promise<VerifiedToken<{ tenant_id: string }>>>>();
const mine = verifier.verify<{ tenant_id: string; roles: string[] }>('token');
assertType<Equal<typeof mine.payload.tenant_id, string>>();
assertType<Equal<typeof mine.payload.roles, string[]>>();
// @ts-expect-error: now is a number of seconds
verifier.verify('token', { now: new Date() });
// @ts-expect-error: no such verify option
verifier.verify('token', { clock: 1 });

// Sender-constrained tokens: the request's proof or certificate; cnf and dpop in the result.
const store: ReplayStore = memoryReplayStore({ maxEntries: 10 });
new Verifier({ jwks: '{}', dpopReplayStore: store });
new Verifier({ jwks: '{}', dpopReplayStore: { record: async (key: string, expiresAt: number) => key.length < expiresAt } });
const bound = verifier.verify('token', { dpop: { proof: 'p', method: 'GET', url: 'https://api.example/x', nonce: ['n1', 'n2'] } });
assertType<Equal<typeof bound.cnf, { jkt?: string; 'x5t#S256'?: string } | undefined>>();
assertType<Equal<typeof bound.dpop, { jti: string; iat: number; jkt: string } | undefined>>();
verifier.verify('token', { dpop: { proof: null, method: 'GET', url: new URL('https://api.example/x') }, scheme: 'DPoP' });
verifier.verify('token', { clientCertificate: new Uint8Array(8) });
verifier.verify('token', { clientCertificate: { sha256: 'x' } });
verifier.explain('token', { dpop: { proof: 'p', method: 'GET', url: 'https://api.example/x' } });
// @ts-expect-error: the scheme is Bearer or DPoP
verifier.verify('token', { scheme: 'Basic' });
// @ts-expect-error: a replay store records
new Verifier({ jwks: '{}', dpopReplayStore: { has: () => true } });

// Errors: the code is a union of string literals, exactly the 21 + 2 codes.
const verifyCodes: Record<VerifyErrorCode, true> = {
  ERR_JWT_MALFORMED: true,
  ERR_JWT_TOO_LARGE: true,
  ERR_JWT_UNSUPPORTED_ALG: true,
  ERR_JWT_ALG_NOT_ALLOWED: true,
  ERR_JWT_KEY_NOT_FOUND: true,
  ERR_JWT_KEY_MISMATCH: true,
  ERR_JWT_BAD_SIGNATURE: true,
  ERR_JWT_EXPIRED: true,
  ERR_JWT_NOT_YET_VALID: true,
  ERR_JWT_ISSUED_IN_FUTURE: true,
  ERR_JWT_TOO_OLD: true,
  ERR_JWT_BAD_ISSUER: true,
  ERR_JWT_BAD_AUDIENCE: true,
  ERR_JWT_BAD_SUBJECT: true,
  ERR_JWT_BAD_CLAIM: true,
  ERR_JWT_MISSING_CLAIM: true,
  ERR_JWT_INSUFFICIENT_SCOPE: true,
  ERR_JWT_BAD_TYP: true,
  ERR_JWT_UNSUPPORTED_CRIT: true,
  ERR_JWT_BAD_DPOP_PROOF: true,
  ERR_JWT_BAD_BINDING: true,
};
const configCodes: Record<ConfigErrorCode, true> = { ERR_OPTIONS_INVALID: true, ERR_JWKS_INVALID: true };
const keysCodes: Record<KeysErrorCode, true> = { ERR_JWKS_UNAVAILABLE: true };
assertType<Equal<JwtErrorCode, VerifyErrorCode | ConfigErrorCode | KeysErrorCode>>();
assertType<Equal<JwtError['code'], JwtErrorCode>>();
// @ts-expect-error: not a code
const notACode: JwtError['code'] = 'ERR_JWT_NOPE';

try {
  verifier.verify('token');
} catch (error) {
  if (error instanceof JwtError) {
    const code: JwtErrorCode = error.code;
    const claim: string | undefined = error.claim;
    const field: string | undefined = error.field;
    const asError: Error = error;
    switch (error.code) {
      case 'ERR_JWT_EXPIRED':
      case 'ERR_OPTIONS_INVALID':
        break;
      // @ts-expect-error: not a member of the union
      case 'ERR_JWT_WHATEVER':
        break;
    }
    void [code, claim, field, asError];
  }
}
const built = new JwtError('ERR_JWT_BAD_ISSUER', 'message', { claim: 'iss' });
assertType<Equal<typeof built.name, 'JwtError'>>();

// explain: a discriminated union.
const report: Explanation = verifier.explain('token', { now: 1 });
const check: Check | undefined = report.checks[0];
assertType<Equal<NonNullable<typeof check>['status'], 'passed' | 'failed' | 'not_reached' | 'skipped'>>();
if (report.valid) {
  assertType<Equal<typeof report.payload, JwtPayload>>();
  assertType<Equal<typeof report.alg, Algorithm>>();
} else {
  assertType<Equal<typeof report.code, VerifyErrorCode>>();
  assertType<Equal<typeof report.header, JwtHeader | undefined>>();
  // A rejected token's scopes, when its scope claims are well-formed (unverified).
  assertType<Equal<typeof report.scopes, string[] | undefined>>();
}

// decode, inspect, lintJwks, cacheStats, free, ready.
const decoded = decode('token');
assertType<Equal<typeof decoded.payload, JwtPayload>>();
const warning = inspect('token').warnings[0];
const warningCode: string | undefined = warning?.code;
const lint = lintJwks({ keys: [] })[0];
assertType<Equal<NonNullable<typeof lint>['code'], JwksWarningCode>>();
assertType<Equal<NonNullable<typeof lint>['kid'], string | undefined>>();
const stats: CacheStats = verifier.cacheStats();
assertType<Equal<typeof stats.maxEntries, number>>();
verifier.free();
const readiness: Promise<void> = ready();
await readiness;
// @ts-expect-error: decode takes a string
decode(42);

// Remote keys: one issuer by discovery or by JWK Set URL, a shared RemoteJwks, several issuers.
const events: KeyEvent[] = [];
const discovered = new Verifier({
  issuer: 'https://login.example.com/',
  discovery: true,
  audience: 'api://orders',
  cooldown: 30,
  timeout: 5,
  onEvent: (event) => {
    events.push(event);
    if (event.type === 'fetch_failed') {
      const why: string = event.error;
      const status: number | undefined = event.status;
      void [why, status];
    }
  },
});
new Verifier({ issuer: 'https://login.example.com/', audience: 'api://orders', jwksUri: 'https://login.example.com/.well-known/jwks.json', store: null });
const shared = new RemoteJwks({ jwksUri: 'https://login.example.com/.well-known/jwks.json', cooldown: 30, timeout: 5, store: memoryStore() });
new RemoteJwks({ issuer: 'https://login.example.com/', discovery: true, fetch: (url, init) => fetch(url, init) });
new Verifier({ issuer: 'https://login.example.com/', audience: 'api://orders', jwks: shared });
const multi = new Verifier({
  issuers: [
    { issuer: 'https://a.example/', discovery: true },
    { issuer: 'https://b.example/', jwksUri: 'https://b.example/keys', audience: 'api://b' },
    { issuer: 'https://c.example/', jwks: shared, requiredScopes: ['c'] },
  ],
  audience: 'api://orders',
  algorithms: ['RS256', 'ES256'],
});
await discovered.ready();
await multi.ready({ waitUntil: (promise) => void promise });
const fetched = await discovered.verifyAsync('token', { waitUntil: (promise: Promise<unknown>) => void promise });
assertType<Equal<typeof fetched, VerifiedToken<{}>>>();
const status = shared.status();
assertType<Equal<typeof status.loaded, boolean>>();
const issuerOfKeys: string | undefined = shared.issuer;
const stores: KeyStore[] = [memoryStore(), cacheApiStore(), kvStore({ get: async () => null, put: async () => {} })];
try {
  discovered.verify('token');
} catch (error) {
  if (error instanceof JwtError && error.code === 'ERR_JWKS_UNAVAILABLE') {
    const retryAfter: number | undefined = error.retryAfter;
    void retryAfter;
  }
}
// @ts-expect-error: discovery needs the issuer
new Verifier({ discovery: true, audience: 'x' });
// @ts-expect-error: discovery needs one issuer, not a list
new Verifier({ issuer: ['https://a.example/'], discovery: true });
// @ts-expect-error: keys from jwks or from jwksUri, not both
new Verifier({ jwks: '{}', jwksUri: 'https://a.example/keys' });
// @ts-expect-error: key-source tuning means nothing for inline keys
new Verifier({ jwks: '{}', cooldown: 30 });
// @ts-expect-error: each entry says where its keys are
new Verifier({ issuers: [{ issuer: 'https://a.example/' }] });
// @ts-expect-error: issuer goes in the entries
new Verifier({ issuers: [{ issuer: 'https://a.example/', discovery: true }], issuer: 'https://a.example/' });
// @ts-expect-error: cache is for the whole Verifier
new Verifier({ issuers: [{ issuer: 'https://a.example/', discovery: true, cache: false }] });
// @ts-expect-error: a store has get and put
new RemoteJwks({ jwksUri: 'https://a.example/keys', store: { get: () => undefined } });
// @ts-expect-error: seconds are numbers
new RemoteJwks({ jwksUri: 'https://a.example/keys', cooldown: '30' });

export { verifyCodes, configCodes, keysCodes, notACode, warningCode, issuerOfKeys, stores };
