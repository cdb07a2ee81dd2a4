// Where the access token comes from (RFC 6750 §2): the `Authorization` header always, with the `Bearer`
// scheme or RFC 9449's `DPoP` (a DPoP-bound token, its proof in the `DPoP` header); a cookie
// by name when the policy names one; the `access_token` query parameter only when the policy opts in
// (§2.3 advises against it: URLs end up in logs and browser history). A request presents at most one
// token, by one method (§2: "MUST NOT use more than one method"): two Authorization credentials, two
// cookies or query parameters of that name, or a token in two places is 400 invalid_request, so no
// part of the stack can pick a different token than the guard checked.
//
// The token itself is not inspected here: whatever follows the scheme goes to jwtward, which says what
// is wrong with it.

import { cookiePairs } from './forward.js';

/** The query parameter of RFC 6750 §2.3. */
const QUERY_PARAMETER = 'access_token';

/**
 * @param {Headers} headers
 * @param {URL} url
 * @param {{ cookie: string | null, query: boolean }} sources the policy's tokenSources
 * @returns {{ token: string, source: 'header' | 'cookie' | 'query', scheme: 'Bearer' | 'DPoP' }
 *   | { token: null, multiple?: string }}
 *   `scheme`: the Authorization scheme (`Bearer` for a cookie or query token, which are bearer tokens)
 *   `token: null` without `multiple`: no token (401 with the bare challenge); with `multiple`: more than
 *   one (400 invalid_request), `multiple` saying where they were found
 */
function findToken(headers, url, sources) {
  const found = [];
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    // Two Authorization headers arrive joined by ", " (fetch's Headers, Node's adapters alike). A
    // token (RFC 6750 §2.1, RFC 9449 §7.1: b64token) never holds a comma, so a comma means two credentials.
    if (authorization.includes(',')) return { token: null, multiple: 'Authorization' };
    const match = /^(bearer|dpop) +(.*)$/i.exec(authorization.trim());
    if (match && match[2] !== '') found.push(['header', match[2], match[1].length === 4 ? 'DPoP' : 'Bearer']);
  }
  if (sources.cookie !== null && headers.has('cookie')) {
    const values = cookiePairs(headers.get('cookie')).filter(([name]) => name === sources.cookie).map(([, value]) => unquote(value));
    if (values.length > 1) return { token: null, multiple: `cookie ${sources.cookie}` };
    if (values.length === 1 && values[0] !== '') found.push(['cookie', values[0], 'Bearer']);
  }
  if (sources.query) {
    const values = url.searchParams.getAll(QUERY_PARAMETER);
    if (values.length > 1) return { token: null, multiple: `query parameter ${QUERY_PARAMETER}` };
    if (values.length === 1 && values[0] !== '') found.push(['query', values[0], 'Bearer']);
  }
  if (found.length > 1) return { token: null, multiple: found.map(([source]) => source).join(' and ') };
  if (found.length === 0) return { token: null };
  return { token: found[0][1], source: found[0][0], scheme: found[0][2] };
}

/**
 * The URL without the `access_token` query parameter (every occurrence), when the policy reads tokens
 * from the query: what is logged and passed on never holds the token. Unchanged otherwise.
 * @param {URL} url
 * @param {{ query: boolean }} sources
 * @returns {URL}
 */
function withoutQueryToken(url, sources) {
  if (!sources.query || !url.searchParams.has(QUERY_PARAMETER)) return url;
  // Removed part by part rather than through searchParams, which would re-encode every other parameter
  // (`%20` as `+`, ...): the rest of the query reaches the application byte for byte. Each part's name
  // is read exactly as searchParams reads it (`acc%65ss_token` is the parameter too).
  const kept = url.search.slice(1).split('&').filter((part) => new URLSearchParams(part).keys().next().value !== QUERY_PARAMETER);
  const clean = new URL(url);
  clean.search = kept.length ? `?${kept.join('&')}` : '';
  return clean;
}

// RFC 6265 §4.1.1: a cookie-value may be wrapped in double quotes.
function unquote(value) {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

export { QUERY_PARAMETER, findToken, withoutQueryToken };
