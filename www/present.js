// Presentation helpers for the inspector: pure functions with no DOM and no verification rules.
// Everything here is about showing things to people (times, claim meanings, token segments);
// every verdict, check and warning comes from the jwtward engine (explain / inspect / lintJwks).

// The tables below are Maps, not plain objects: the names looked up come from the token, and a
// plain object would answer `toString`, `constructor` or `__proto__` from Object.prototype.

/** What each registered or well-known header member means: name -> [title, meaning]. */
export const HEADER_INFO = new Map(Object.entries({
  alg: ['Algorithm', 'How the signature was made.'],
  typ: ['Type', 'Media type of the whole token. "at+jwt" marks an OAuth 2.0 access token (RFC 9068), "dpop+jwt" a DPoP proof (RFC 9449).'],
  kid: ['Key ID', "Names the key in the issuer's JWK Set that signed the token."],
  cty: ['Content type', 'Media type of the payload; "JWT" means a nested token.'],
  crit: ['Critical', 'Extensions the verifier must understand; jwtward supports none, so any crit is rejected.'],
  jku: ['JWK Set URL', 'A URL of keys chosen by the token itself. jwtward never fetches or trusts it.'],
  jwk: ['Embedded key', 'A key carried inside the token. jwtward never verifies with it.'],
  x5u: ['X.509 URL', 'A certificate URL chosen by the token itself. jwtward never fetches or trusts it.'],
  x5c: ['X.509 chain', 'A certificate chain carried inside the token. jwtward never verifies with it.'],
  x5t: ['X.509 thumbprint', 'SHA-1 thumbprint of the signing certificate.'],
  'x5t#S256': ['X.509 thumbprint', 'SHA-256 thumbprint of the signing certificate.'],
  b64: ['Unencoded payload', 'RFC 7797 option; it must be listed in crit and is not supported.'],
}));

/** What a `typ` value says, by its lowercase name without "application/" (RFC 7515 §4.1.9): see typInfo. */
export const TYP_INFO = new Map(Object.entries({
  'at+jwt': 'An OAuth 2.0 access token (RFC 9068).',
  'dpop+jwt': "A DPoP proof (RFC 9449): sent in the DPoP header beside the access token, signed with the client's key.",
  jwt: 'A JSON Web Token, of no more specific type.',
}));

/** The meaning of a `typ` header value, or undefined for types the table does not list. */
export function typInfo(value) {
  if (typeof value !== 'string') return undefined;
  return TYP_INFO.get(value.toLowerCase().replace(/^application\//, ''));
}

/** Human names of the JWS algorithms. */
export const ALG_INFO = new Map(Object.entries({
  HS256: 'HMAC with SHA-256 (shared secret)',
  HS384: 'HMAC with SHA-384 (shared secret)',
  HS512: 'HMAC with SHA-512 (shared secret)',
  RS256: 'RSASSA-PKCS1-v1_5 with SHA-256',
  RS384: 'RSASSA-PKCS1-v1_5 with SHA-384',
  RS512: 'RSASSA-PKCS1-v1_5 with SHA-512',
  PS256: 'RSASSA-PSS with SHA-256',
  PS384: 'RSASSA-PSS with SHA-384',
  PS512: 'RSASSA-PSS with SHA-512',
  ES256: 'ECDSA on P-256 with SHA-256',
  ES384: 'ECDSA on P-384 with SHA-384',
  ES512: 'ECDSA on P-521 with SHA-512',
  EdDSA: 'EdDSA (Ed25519 key)',
  Ed25519: 'Ed25519 (RFC 9864 name)',
  none: 'Unsecured: no signature at all',
}));

/** The algorithms the engine supports, grouped for the policy form. */
export const ALG_FAMILIES = [
  ['HMAC', ['HS256', 'HS384', 'HS512']],
  ['RSA', ['RS256', 'RS384', 'RS512']],
  ['RSA-PSS', ['PS256', 'PS384', 'PS512']],
  ['ECDSA', ['ES256', 'ES384', 'ES512']],
  ['EdDSA', ['EdDSA', 'Ed25519']],
];

const TENANT_TEXT = 'Tenant or organisation the token belongs to; APIs use it to keep customers apart.';

/** What each registered or commonly used claim means: name -> [title, meaning]. */
export const CLAIM_INFO = new Map(Object.entries({
  iss: ['Issuer', 'Who issued the token: the authorization server.'],
  sub: ['Subject', 'Who the token is about: a user, or the client itself in machine-to-machine flows.'],
  aud: ['Audience', 'Who the token is for: the API(s) that may accept it.'],
  exp: ['Expires', 'After this moment the token must be rejected.'],
  nbf: ['Not before', 'Before this moment the token must be rejected.'],
  iat: ['Issued at', 'When the issuer created the token.'],
  jti: ['JWT ID', 'Unique identifier of this token; lets an API detect replays.'],
  scope: ['Scopes', 'Space-separated permissions granted to the client (RFC 9068).'],
  scp: ['Scopes', 'Permissions granted, as an array (Microsoft Entra, Okta).'],
  azp: ['Authorized party', 'The client the token was issued to (OpenID Connect).'],
  client_id: ['Client ID', 'The OAuth 2.0 client that requested the token (RFC 9068).'],
  auth_time: ['Authenticated at', 'When the user last authenticated.'],
  acr: ['Auth context', 'Authentication context class: how strongly the user authenticated.'],
  amr: ['Auth methods', 'How the user authenticated (pwd, otp, mfa, ...).'],
  sid: ['Session ID', 'Identifies the login session at the issuer.'],
  nonce: ['Nonce', 'Binds an ID token to the client request that asked for it.'],
  cnf: ['Confirmation', 'Binds the token to a key the client holds (RFC 7800): jkt for a DPoP key, x5t#S256 for a TLS client certificate. A server accepts it only with proof of that key.'],
  htm: ['HTTP method', 'DPoP proof: the method of the request the proof was made for (RFC 9449).'],
  htu: ['HTTP URI', 'DPoP proof: the URL of the request the proof was made for, without query and fragment (RFC 9449).'],
  ath: ['Access token hash', 'DPoP proof: base64url of the SHA-256 of the access token it is sent with (RFC 9449).'],
  act: ['Actor', 'Who is acting on behalf of the subject (token exchange, RFC 8693).'],
  may_act: ['May act', 'Who is allowed to act on behalf of the subject (RFC 8693).'],
  roles: ['Roles', 'Roles granted to the subject (Entra ID app roles: the permissions of client-credentials tokens).'],
  permissions: ['Permissions', 'Permissions granted to the client (Auth0 RBAC).'],
  cid: ['Client ID', 'The client the token was issued to (Okta).'],
  appid: ['Client ID', 'The client the token was issued to (Entra ID v1.0 tokens).'],
  oid: ['Object ID', 'The user or service principal in the tenant (Entra ID).'],
  ver: ['Version', 'The token format version (Entra ID: 1.0 or 2.0).'],
  token_use: ['Token use', '"access" for an access token, "id" for an ID token (Amazon Cognito).'],
  typ: ['Token type', 'What the token is for (Keycloak: "Bearer" for access tokens, "ID" for ID tokens).'],
  gty: ['Grant type', 'How the token was obtained (Auth0: client-credentials for machine-to-machine).'],
  realm_access: ['Realm roles', 'Roles granted in the realm (Keycloak).'],
  resource_access: ['Client roles', 'Roles granted per client (Keycloak).'],
  username: ['Username', "The subject's user name (Amazon Cognito)."],
  groups: ['Groups', 'Groups the subject belongs to.'],
  entitlements: ['Entitlements', 'Individual entitlements granted to the subject.'],
  name: ['Name', "The subject's display name."],
  email: ['Email', "The subject's email address."],
  email_verified: ['Email verified', 'Whether the issuer verified the email address.'],
  preferred_username: ['Username', "The subject's preferred username."],
  tid: ['Tenant', TENANT_TEXT],
  tenant: ['Tenant', TENANT_TEXT],
  tenant_id: ['Tenant', TENANT_TEXT],
  tenantId: ['Tenant', TENANT_TEXT],
  org_id: ['Organisation', TENANT_TEXT],
  organization: ['Organisation', TENANT_TEXT],
  org: ['Organisation', TENANT_TEXT],
  realm: ['Realm', TENANT_TEXT],
}));

/** The members of a `cnf` claim (RFC 7800): name -> [title, meaning]. */
export const CNF_INFO = new Map(Object.entries({
  jkt: ['JWK thumbprint', "SHA-256 thumbprint (RFC 7638) of the client's DPoP key: the token is accepted only with a DPoP proof signed by that key (RFC 9449)."],
  'x5t#S256': ['Certificate thumbprint', "SHA-256 of the client's TLS certificate (DER): the token is accepted only over mutual TLS with that certificate (RFC 8705)."],
  jwk: ['Key', 'The confirmation key itself (RFC 7800).'],
  kid: ['Key ID', 'Names the confirmation key (RFC 7800).'],
}));

/**
 * The members of a DPoP proof (RFC 9449 §4.2) as the inspector lists them, in reading order:
 * `[part, name, checkId, title, meaning]`, `checkId` the line of explain's checklist that judges
 * that member (the engine's verdict is shown beside it; the page only pairs them).
 */
export const DPOP_MEMBERS = [
  ['header', 'typ', 'dpop_typ', 'Type', 'Must be "dpop+jwt": a DPoP proof, which can never be taken for an access token.'],
  ['header', 'alg', 'dpop_alg', 'Algorithm', 'Asymmetric only: the server checks the signature with the public key below, which the client alone can sign for.'],
  ['header', 'jwk', 'dpop_jwk', 'Proof key', "The client's public key (public members only). Here, and only here, the header's key is the point: the token's cnf.jkt must be its thumbprint."],
  ['payload', 'htm', 'dpop_htm', 'HTTP method', "Must equal the request's method."],
  ['payload', 'htu', 'dpop_htu', 'HTTP URI', "Must equal the request's URL, without query and fragment, compared after normalisation (RFC 3986 §6)."],
  ['payload', 'iat', 'dpop_iat', 'Issued at', 'When the client made the proof: accepted only within a short window around now (jwtward: ±60 s unless the policy says otherwise).'],
  ['payload', 'jti', 'dpop_jti', 'Proof ID', 'Unique per proof: a server remembers it to refuse the same proof twice.'],
  ['payload', 'ath', 'dpop_ath', 'Access token hash', 'base64url of the SHA-256 of the access token sent with the proof: the proof is for this token only.'],
  ['payload', 'nonce', 'dpop_nonce', 'Nonce', 'A value the server handed out (DPoP-Nonce header), checked when the server expects one.'],
];

/**
 * Whether a checklist line (explain's `id`) is one of the sender-constraint checks (RFC 9449
 * DPoP, RFC 8705 mTLS), which the inspector groups under their own heading.
 */
export function isSenderCheck(id) {
  return id === 'cnf' || id === 'sender_constraint' || /^(?:dpop|cnf)_/.test(String(id));
}

/** Claims that hold NumericDates (seconds since the epoch). */
export const TIME_CLAIMS = ['iat', 'nbf', 'exp', 'auth_time'];

/** The order registered claims are listed in; others follow in token order. */
const CLAIM_ORDER = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'scope', 'scp', 'azp', 'client_id'];

/**
 * Orders a payload's claim names for display: registered claims first, in a fixed reading order,
 * then every other claim in the order the token lists them.
 */
export function orderClaimNames(payload) {
  const names = Object.keys(payload ?? {});
  const first = CLAIM_ORDER.filter((name) => names.includes(name));
  return [...first, ...names.filter((name) => !CLAIM_ORDER.includes(name))];
}

/**
 * Prepares pasted text for the engine. People paste tokens with surrounding whitespace, line
 * breaks from wrapped terminals or a `Bearer ` prefix copied from a header; the page removes those
 * (and says so) so the engine sees the token itself. Anything inside the token is left alone, so
 * the engine still rejects a token that is malformed in itself.
 */
export function cleanTokenInput(raw) {
  const notes = [];
  let token = raw;
  const trimmed = token.trim();
  if (trimmed !== token) {
    notes.push('surrounding whitespace');
    token = trimmed;
  }
  const scheme = /^(?:authorization:\s*)?(?:bearer|dpop)\s+/i.exec(token);
  if (scheme) {
    notes.push(`the "${scheme[0].trim()}" prefix`);
    token = token.slice(scheme[0].length).trim();
  }
  return { token, notes };
}

/**
 * The same for a pasted DPoP proof: surrounding whitespace and a `DPoP:` header-name prefix
 * (copied with the header) are removed and reported; the engine judges the rest.
 */
export function cleanProofInput(raw) {
  const notes = [];
  let proof = String(raw ?? '');
  const trimmed = proof.trim();
  if (trimmed !== proof) {
    notes.push('surrounding whitespace');
    proof = trimmed;
  }
  const header = /^dpop:\s*/i.exec(proof);
  if (header) {
    notes.push(`the "${header[0].trim()}" prefix`);
    proof = proof.slice(header[0].length).trim();
  }
  return { proof, notes };
}

/**
 * The request options of `explain` (beside `now`) from the inspector's request fields, as people
 * type them: `dpop: { proof, method, url, nonce }` when a proof is given (several expected nonces
 * separated by spaces), and `clientCertificate: { sha256 }` when a certificate hash is. Only
 * converts: the engine checks every value and names the option it refuses.
 */
export function presentationOptions({ proof = '', method = '', url = '', nonce = '', certificate = '' } = {}) {
  const text = (value) => String(value ?? '').trim();
  const presentation = {};
  if (text(proof)) {
    const dpop = { proof: text(proof) };
    if (text(method)) dpop.method = text(method);
    if (text(url)) dpop.url = text(url);
    const nonces = text(nonce).split(/\s+/).filter(Boolean);
    if (nonces.length) dpop.nonce = nonces.length === 1 ? nonces[0] : nonces;
    presentation.dpop = dpop;
  }
  if (text(certificate)) presentation.clientCertificate = { sha256: text(certificate) };
  return presentation;
}

/**
 * What a bound token refused for want of its proof needs, from the engine's verdict: `'dpop'`
 * (ERR_JWT_BAD_BINDING on `cnf.jkt`, no DPoP proof given), `'mtls'` (on `cnf.x5t#S256`, no
 * client certificate given), or null. The inspector then offers the field for it.
 */
export function missingProof(report, presentation = {}) {
  if (!report || report.valid || report.code !== 'ERR_JWT_BAD_BINDING') return null;
  if (report.claim === 'cnf.jkt' && !presentation?.dpop?.proof) return 'dpop';
  if (report.claim === 'cnf.x5t#S256' && !presentation?.clientCertificate) return 'mtls';
  return null;
}

/**
 * Splits a token into coloured runs for display: each segment and each dot. Purely visual; the
 * engine decides whether the segments are well formed.
 */
export function tokenRuns(token) {
  const runs = [];
  const kinds = ['header', 'payload', 'signature'];
  for (const [i, part] of token.split('.').entries()) {
    if (i > 0) runs.push({ kind: 'dot', text: '.' });
    if (part) runs.push({ kind: kinds[i] ?? 'extra', text: part });
  }
  return runs;
}

const UNITS = [
  ['y', 365 * 86400],
  ['d', 86400],
  ['h', 3600],
  ['min', 60],
  ['s', 1],
];

/**
 * A duration in words people scan quickly: "45 s", "12 min", "1 h 20 min", "3 h", "2 d 4 h",
 * "12 d", "3 y". Two units only while the first is small (under 10), where the second still matters.
 */
export function formatDuration(seconds) {
  let rest = Math.floor(Math.abs(seconds));
  if (rest === 0) return '0 s';
  const parts = [];
  for (const [unit, size] of UNITS) {
    if (rest >= size || parts.length > 0) {
      const count = Math.floor(rest / size);
      rest -= count * size;
      if (parts.length === 0) {
        parts.push(`${count} ${unit}`);
        if (count >= 10 || size === 1) break;
      } else {
        if (count > 0) parts.push(`${count} ${unit}`);
        break;
      }
    }
  }
  return parts.join(' ');
}

/**
 * "in 12 min" or "3 h ago", for a moment relative to now (both in Unix seconds).
 */
export function relative(when, now) {
  const delta = when - now;
  if (Math.abs(delta) < 1) return 'now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(delta)} ago`;
}

/**
 * A sentence about a time claim relative to now: "expires in 12 min", "expired 3 h ago",
 * "issued 5 min ago", "usable from in 2 h". These describe the raw timestamps only; whether the
 * token is acceptable (clock tolerance, maximum age) is the engine's verdict.
 */
export function describeTime(claim, when, now) {
  const future = when > now;
  const span = formatDuration(when - now);
  switch (claim) {
    case 'exp':
      return future ? `expires in ${span}` : `expired ${span} ago`;
    case 'nbf':
      return future ? `not usable until ${span} from now` : `usable since ${span} ago`;
    case 'iat':
      return future ? `issued ${span} in the future` : `issued ${span} ago`;
    case 'auth_time':
      return future ? `authenticated ${span} in the future` : `authenticated ${span} ago`;
    default:
      return relative(when, now);
  }
}

/** Whether a claim value is a usable NumericDate for display (a finite JSON number). */
export function isNumericDate(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** "2025-06-15 12:34:56 UTC" (fractional seconds kept when the token has them). */
export function formatUtc(seconds) {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return 'out of range';
  const base = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const millis = date.getUTCMilliseconds();
  return `${base}${millis ? `.${pad(millis, 3)}` : ''} UTC`;
}

/** The same moment in the viewer's own time zone, with the zone named. */
export function formatLocal(seconds, locale = undefined, timeZone = undefined) {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return 'out of range';
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric', month: 'short', day: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
    hour12: false, timeZoneName: 'short', timeZone,
  }).format(date);
}

/**
 * Lays out the time claims and now on one line for the timeline. Returns markers with a position
 * in [0, 1]. Long empty stretches (a token that expired three years ago, with a one-hour lifetime)
 * are shortened and flagged as breaks, so the token's own window stays readable.
 */
export function timelineLayout(times, now) {
  const points = [];
  for (const claim of ['iat', 'nbf', 'exp']) {
    if (isNumericDate(times[claim])) points.push({ id: claim, at: times[claim] });
  }
  if (points.length === 0) return null;
  points.push({ id: 'now', at: now });
  points.sort((a, b) => a.at - b.at || order(a.id) - order(b.id));

  const tokenTimes = points.filter((p) => p.id !== 'now').map((p) => p.at);
  const window = Math.max(...tokenTimes) - Math.min(...tokenTimes);
  const gaps = [];
  for (let i = 1; i < points.length; i++) gaps.push(points[i].at - points[i - 1].at);
  // The widest a gap may draw: a gap much longer than the token's own window is drawn at this
  // width with a break mark. With a single token time (window 0) there is one gap, to now, and
  // nothing to keep readable.
  const cap = window > 0 ? window * 1.5 : Infinity;
  const widths = gaps.map((g) => Math.min(g, cap));
  const total = widths.reduce((a, b) => a + b, 0);

  const markers = [];
  let cursor = 0;
  for (let i = 0; i < points.length; i++) {
    if (i > 0) cursor += widths[i - 1];
    markers.push({ ...points[i], position: total > 0 ? cursor / total : i / Math.max(points.length - 1, 1) });
  }
  const breaks = [];
  cursor = 0;
  for (let i = 0; i < gaps.length; i++) {
    if (gaps[i] > cap) {
      breaks.push({ position: (cursor + widths[i] / 2) / total, span: gaps[i] });
    }
    cursor += widths[i];
  }
  return { markers, breaks, lifetime: isNumericDate(times.exp) && isNumericDate(times.iat) ? times.exp - times.iat : null };
}

function order(id) {
  return ['iat', 'nbf', 'now', 'exp'].indexOf(id);
}

/** The granted scopes as a list, from `scope` (space-separated) and `scp` (array), for chips. */
export function scopeList(value) {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string');
  return [];
}

/** Splits a form field holding several values (issuers, audiences, scopes) on commas, spaces or lines. */
export function splitList(text) {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

/** The non-empty strings of a claim that may be one string or an array of them, de-duplicated. */
function stringsOf(value) {
  const list = Array.isArray(value) ? value : [value];
  return [...new Set(list.filter((item) => typeof item === 'string' && item !== ''))];
}

/**
 * What the policy leaves unset that the token itself names: its `aud` when no audience is
 * configured (the engine then refuses the token, RFC 7519 §4.1.3) and its `iss` when no issuer is
 * (any issuer then passes). The inspector offers these values with one click; using one is the
 * user's decision, and the engine judges the result. Returns `[{ claim, option, values }]`.
 */
export function policySuggestions(payload, options = {}) {
  const suggestions = [];
  if (!payload || typeof payload !== 'object') return suggestions;
  for (const [claim, option] of [['aud', 'audience'], ['iss', 'issuer']]) {
    if (Object.hasOwn(options, option) || !Object.hasOwn(payload, claim)) continue;
    const values = stringsOf(payload[claim]);
    if (values.length) suggestions.push({ claim, option, values });
  }
  return suggestions;
}

/**
 * Verifier options from a policy form's fields, as people type them (strings; `algorithms` a
 * list). Only converts: the engine validates the options and names the field it rejects. Returns
 * `{ options, formError }`, `formError` when a field can't even be read (claim values that are not
 * a JSON object). Fields left empty set no option.
 */
export function policyOptions(fields) {
  const options = { jwks: fields.jwks, cache: false };
  const text = (name) => String(fields[name] ?? '').trim();
  const one = (list) => (list.length === 1 ? list[0] : list);
  const lists = [
    ['issuer', 'issuer', one], ['audience', 'audience', one], ['scopes', 'requiredScopes'],
    ['scopeClaims', 'scopeClaims'], ['requiredClaims', 'requiredClaims'],
  ];
  for (const [field, option, shape = (list) => list] of lists) {
    const list = splitList(text(field));
    if (list.length) options[option] = shape(list);
  }
  if (fields.algorithms?.length) options.algorithms = [...fields.algorithms];
  for (const [field, option] of [['tolerance', 'clockTolerance'], ['maxAge', 'maxTokenAge']]) {
    if (text(field) !== '') options[option] = Number(text(field));
  }
  for (const field of ['subject', 'typ', 'senderConstraint']) {
    if (text(field)) options[field] = text(field);
  }
  let formError = null;
  if (text('claimValues')) {
    try {
      const claims = JSON.parse(text('claimValues'));
      if (claims && typeof claims === 'object' && !Array.isArray(claims)) options.claims = claims;
      else formError = { field: 'claims', message: 'Claim values must be a JSON object, like { "tenant_id": "acme" }.' };
    } catch (error) {
      formError = { field: 'claims', message: `Claim values are not JSON: ${error.message}` };
    }
  }
  return { options, formError };
}

/**
 * The policy form's fields for Verifier options (the inverse of policyOptions): what choosing an
 * identity-provider preset writes into the form. Every field is set, empty where the options say
 * nothing, except the clock tolerance, which is the user's unless the options set one. Throws for
 * an option the form has no field for, so a preset can never be shown partly.
 */
export function policyFields(options) {
  const known = new Set(['issuer', 'audience', 'algorithms', 'requiredScopes', 'scopeClaims', 'requiredClaims', 'clockTolerance', 'maxTokenAge', 'subject', 'typ', 'claims', 'senderConstraint']);
  const unknown = Object.keys(options).filter((name) => !known.has(name));
  if (unknown.length) throw new Error(`the policy form has no field for ${unknown.join(', ')}`);
  const list = (value) => [value ?? []].flat().join(' ');
  const fields = {
    issuer: list(options.issuer),
    audience: list(options.audience),
    algorithms: [...(options.algorithms ?? [])],
    scopes: list(options.requiredScopes),
    scopeClaims: list(options.scopeClaims),
    requiredClaims: list(options.requiredClaims),
    maxAge: options.maxTokenAge === undefined ? '' : String(options.maxTokenAge),
    subject: options.subject ?? '',
    typ: options.typ ?? '',
    senderConstraint: options.senderConstraint ?? '',
    claimValues: options.claims === undefined ? '' : JSON.stringify(options.claims, null, 2),
  };
  if (options.clockTolerance !== undefined) fields.tolerance = String(options.clockTolerance);
  return fields;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_-]*)\}/g;

/** The `{placeholder}` names in the strings of a value (deep), in order, each once. */
export function placeholdersIn(value) {
  const names = new Set();
  const walk = (item) => {
    if (typeof item === 'string') for (const match of item.matchAll(PLACEHOLDER)) names.add(match[1]);
    else if (Array.isArray(item)) item.forEach(walk);
    else if (item && typeof item === 'object') Object.values(item).forEach(walk);
  };
  walk(value);
  return [...names];
}

/** Bindings `{ name: value }` that make `pattern` (with `{name}` placeholders) equal `text`, or null. */
function matchPattern(pattern, text) {
  if (typeof pattern !== 'string' || typeof text !== 'string') return null;
  const names = [];
  const source = pattern.split(PLACEHOLDER).map((part, index) => {
    if (index % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    names.push(part);
    return '(.+?)';
  }).join('');
  const match = new RegExp(`^${source}$`).exec(text);
  if (!match || names.length === 0) return null;
  const bindings = {};
  for (const [index, name] of names.entries()) {
    if (Object.hasOwn(bindings, name) && bindings[name] !== match[index + 1]) return null;
    bindings[name] = match[index + 1];
  }
  return bindings;
}

/**
 * The values a token gives a preset's placeholders: `{tenant-id}` in the issuer pattern
 * `https://login.microsoftonline.com/{tenant-id}/v2.0` is what the token's `iss` has there; the
 * same for the audience (any of the token's `aud`) and each claim value. A name bound to two
 * different values is left unbound. Returns `{ bindings, unresolved }`: the user decides whether
 * to use them (fillPlaceholders), since a policy built from the token accepts that token.
 */
export function placeholderValues(options, payload) {
  const found = new Map();
  const conflicts = new Set();
  const take = (bindings) => {
    for (const [name, value] of Object.entries(bindings ?? {})) {
      // A token that carries the placeholder itself (a documentation example) gives no value.
      if (value === `{${name}}`) continue;
      if (found.has(name) && found.get(name) !== value) conflicts.add(name);
      else found.set(name, value);
    }
  };
  const own = (name) => (payload && typeof payload === 'object' && Object.hasOwn(payload, name) ? payload[name] : undefined);
  const firstMatch = (patterns, values) => {
    for (const pattern of [patterns ?? []].flat()) {
      for (const value of [values ?? []].flat()) {
        const bindings = matchPattern(pattern, value);
        if (bindings) return bindings;
      }
    }
    return null;
  };
  take(firstMatch(options.issuer, own('iss')));
  take(firstMatch(options.audience, own('aud')));
  for (const [claim, pattern] of Object.entries(options.claims ?? {})) take(firstMatch(pattern, own(claim)));
  const bindings = Object.fromEntries([...found].filter(([name]) => !conflicts.has(name)));
  return { bindings, unresolved: placeholdersIn(options).filter((name) => !Object.hasOwn(bindings, name)) };
}

/** `options` with each bound `{placeholder}` replaced by its value, in every string (deep). */
export function fillPlaceholders(options, bindings) {
  const fill = (item) => {
    if (typeof item === 'string') return item.replace(PLACEHOLDER, (whole, name) => (Object.hasOwn(bindings, name) ? bindings[name] : whole));
    if (Array.isArray(item)) return item.map(fill);
    if (item && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, value]) => [key, fill(value)]));
    return item;
  };
  return fill(options);
}
