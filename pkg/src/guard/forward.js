// What the application (or the Worker's origin) receives: the request, minus anything a client could use
// to impersonate someone or to run another method than the one checked, plus the verified identity in
// headers. The same headers in every adapter: the Worker sends them to its origin, the Node adapters put
// them on the request the application's handlers read.

import { canonicalHeaderName, IDENTITY_HEADERS, IDENTITY_HEADER_PREFIX, METHOD_OVERRIDE_HEADERS } from './policy.js';

const utf8 = new TextEncoder();

/**
 * Text as a header value that decodes back to exactly that text: every character outside the safe set
 * (visible ASCII, 0x21-0x7E, except `%`) is percent-encoded as UTF-8 (`%XX`, upper-case hex), and so is
 * `%` itself. So `decodeURIComponent(value)` always gives back the text: the claim `%61dmin` arrives as
 * `%2561dmin`, never readable as `admin`; `é` arrives as `%C3%A9` and the claim `%C3%A9` as
 * `%25C3%25A9`; nothing HTTP trims, folds or forbids (spaces, tabs, CR/LF, NUL) is left in the value.
 * Text made of safe characters only arrives as it is. (jwtward refuses tokens with lone surrogates, so
 * every claim string has a UTF-8 form.)
 * @param {string} text
 */
function encodeHeaderText(text) {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x21 && c <= 0x7e && c !== 0x25) continue;
    // One character (two UTF-16 units for a surrogate pair) outside the safe set.
    const end = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? i + 2 : i + 1;
    out += text.slice(start, i);
    for (const byte of utf8.encode(text.slice(i, end))) out += `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
    start = end;
    i = end - 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/**
 * A claim value as a header value: strings, numbers and booleans as their text, arrays and objects as
 * JSON, then encoded by encodeHeaderText. null for an absent claim (no header).
 */
function headerValue(value) {
  if (value === undefined || value === null) return null;
  return encodeHeaderText(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/**
 * The identity headers for a verified token on a route, in the order they are documented.
 * @param {object} policy the compiled policy
 * @param {object} route the matched route
 * @param {{ payload: object, scopes: string[] }} verified jwtward's result
 * @returns {Record<string, string>}
 */
function identityHeaders(policy, route, verified) {
  const { payload } = verified;
  const headers = {};
  const put = (name, value) => {
    const text = headerValue(value);
    if (text !== null) headers[name] = text;
  };
  put(IDENTITY_HEADERS.subject, payload.sub);
  // Each scope encoded on its own, joined by single spaces: a scope with a space in it (an `scp` array
  // may hold one) cannot pass for two.
  if (verified.scopes.length) headers[IDENTITY_HEADERS.scopes] = verified.scopes.map(encodeHeaderText).join(' ');
  put(IDENTITY_HEADERS.tenant, payload[policy.tenantClaim]);
  for (const { claim, header } of route.forwardClaims) put(header, payload[claim]);
  return headers;
}

/**
 * Every header name (in canonicalHeaderName form) that only the guard may set: every header any
 * `forwardClaims` map of the policy writes (those need not start with X-Auth-), and the method-override
 * headers unless the policy forwards them. Names starting with X-Auth- are removed as well.
 */
function strippedHeaderNames(policy) {
  const names = new Set(policy.forwardMethodOverride ? [] : METHOD_OVERRIDE_HEADERS);
  for (const route of [...policy.routes, policy.fallbackRoute].filter(Boolean)) {
    for (const { header } of route.forwardClaims) names.add(canonicalHeaderName(header));
  }
  return names;
}

/**
 * What changes in the headers passed on: spoofable ones removed first, then the identity added. Names
 * are compared in canonicalHeaderName form, so `X_Auth_Tenant` goes as surely as `X-Auth-Tenant`;
 * other names with `_` are dropped too unless the policy keeps them (nginx's default: one header an
 * origin reads under two spellings is a spoofing channel for every header a proxy sets, not only ours).
 * `Authorization` passes only as itself, and only where the route forwards it; the same goes for the
 * `DPoP` proof that came with it (RFC 9449), and for the route's token cookie (`tokenSources.cookie`),
 * taken out of `Cookie` unless the route forwards credentials.
 *
 * A change set rather than a new Headers object, so that each adapter applies it to its own request
 * representation (fetch Headers, Node's req.headers) without a copy it does not need.
 * @param {{ get(name: string): string | null, keys(): Iterable<string> }} incoming lower-case names
 * @param {object} policy the compiled policy
 * @param {Set<string>} stripped from strippedHeaderNames(policy)
 * @param {object} route
 * @param {Record<string, string>} identity from identityHeaders(), or {} for a public route
 * @returns {{ remove: string[], set: Record<string, string> }} lower-case names to remove, then headers
 *   to set (lower-case names)
 */
function upstreamChanges(incoming, policy, stripped, route, identity) {
  const remove = [];
  const set = {};
  for (const name of incoming.keys()) {
    const canonical = canonicalHeaderName(name);
    if (
      canonical.startsWith(IDENTITY_HEADER_PREFIX)
      || stripped.has(canonical)
      || ((canonical === 'authorization' || canonical === 'dpop') && !(route.forwardAuthorization && name === canonical))
      || (name.includes('_') && !policy.keepUnderscoreHeaders)
    ) {
      remove.push(name);
    }
  }
  const cookieName = route.tokenSources.cookie;
  const cookie = cookieName !== null && !route.forwardAuthorization ? incoming.get('cookie') : null;
  if (cookie !== null) {
    const pairs = cookiePairs(cookie);
    const kept = pairs.filter(([name]) => name !== cookieName);
    if (kept.length === 0) remove.push('cookie');
    else if (kept.length < pairs.length) set.cookie = kept.map(([name, value]) => `${name}=${value}`).join('; ');
  }
  for (const [name, value] of Object.entries(identity)) set[name.toLowerCase()] = value;
  return { remove, set };
}

/** A copy of fetch Headers with a change set from upstreamChanges() applied. */
function changedHeaders(headers, changes) {
  const out = new Headers(headers);
  for (const name of changes.remove) out.delete(name);
  for (const [name, value] of Object.entries(changes.set)) out.set(name, value);
  return out;
}

/**
 * The name=value pairs of a `Cookie` header (RFC 6265 §5.4: "; "-separated; several Cookie headers
 * arrive joined by ", " through fetch, or "; " through Node). Pairs without "=" are kept as a name
 * with an empty value. Values are left as they are (not decoded).
 * @param {string} header
 * @returns {Array<[string, string]>}
 */
function cookiePairs(header) {
  const pairs = [];
  for (const part of header.split(/;|, (?=[^;=,\s]+=)/)) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    pairs.push(eq === -1 ? [item, ''] : [item.slice(0, eq).trim(), item.slice(eq + 1).trim()]);
  }
  return pairs;
}

/**
 * The request to pass on after an allowed decision: the same method and body, the URL without a query
 * token, the headers without spoofed identity headers and with the verified identity.
 * @param {Request} request the incoming request (its body is handed over, not copied)
 * @param {{ url: URL, changes: { remove: string[], set: Record<string, string> } }} decision
 * @param {URL | string} [target] where it goes (default: the request's own, cleaned URL)
 */
function passOn(request, decision, target = decision.url) {
  const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
  return new Request(target, {
    method: request.method,
    headers: changedHeaders(request.headers, decision.changes),
    body: hasBody ? request.body : null,
    redirect: 'manual',
    // undici (Node) requires this for a streamed body; workerd ignores it.
    ...(hasBody ? { duplex: 'half' } : {}),
  });
}

export { changedHeaders, cookiePairs, encodeHeaderText, headerValue, identityHeaders, passOn, strippedHeaderNames, upstreamChanges };
