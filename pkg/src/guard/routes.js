// Path patterns and route matching.
//
// Pattern syntax (documented in worker/README.md, the policy reference):
//   /api/orders          literal segments, matched exactly and case-sensitively
//   /tenants/:tenant/x   `:name` matches exactly one non-empty segment and binds it
//   /api/orders/*        `*`, only as the last segment, matches the rest of the path
//                        (zero or more segments), but never the bare prefix `/api/orders`
//
// Matching works on percent-DECODED segments, so `/api/%6Frders` is `/api/orders` here exactly as it
// will be for the origin that decodes it: a guard that compared raw bytes while the origin compared
// decoded ones could be walked around with an encoded letter. Paths that would decode into different
// segments than they split into (an encoded `/` or `\`, a NUL) are refused before matching, for the
// same reason. Dot segments (`..`, `%2e%2e`) never reach us: the URL parser resolves them.

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// RFC 3986 pchar minus `%` (patterns are written decoded) and minus `:`/`*`, which are syntax here.
const LITERAL_SEGMENT = /^[A-Za-z0-9\-._~!$&'()+,;=@]+$/;

/**
 * Compiles a pattern string. Throws an Error whose message says what is wrong (the policy
 * validator turns it into a policy problem with the field path).
 * @param {string} pattern
 * @returns {{ source: string, segments: Array<{ literal?: string, param?: string }>, wildcard: boolean, params: string[] }}
 */
function compilePattern(pattern) {
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw new Error('must be a string starting with "/"');
  }
  const parts = pattern.split('/').slice(1);
  const segments = [];
  const params = [];
  let wildcard = false;
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    if (part === '*') {
      if (!last) throw new Error('"*" is only allowed as the last segment');
      wildcard = true;
    } else if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!PARAM_NAME.test(name)) throw new Error(`parameter "${part}" must be ":" followed by a name ([A-Za-z_][A-Za-z0-9_]*)`);
      if (params.includes(name)) throw new Error(`parameter ":${name}" appears twice`);
      params.push(name);
      segments.push({ param: name });
    } else if (part === '' && last && index === 0) {
      // The pattern "/" itself: the root path is one empty segment, as splitPath gives it.
      segments.push({ literal: '' });
    } else if (!LITERAL_SEGMENT.test(part)) {
      throw new Error(`segment "${part}" is empty or contains characters that are not allowed in a literal path segment`);
    } else {
      segments.push({ literal: part });
    }
  });
  return { source: pattern, segments, wildcard, params };
}

/** Thrown for a request path that could mean different things to the guard and to the origin. */
class UnsafePathError extends Error {}

/**
 * Splits a URL pathname (as `new URL(...).pathname` gives it: dot segments already resolved, percent
 * escapes still in place) into decoded segments.
 * @param {string} pathname
 * @returns {string[]}
 */
function splitPath(pathname) {
  if (/%(2f|5c|00)/i.test(pathname) || pathname.includes('\\')) {
    throw new UnsafePathError('the path contains an encoded "/", "\\" or NUL');
  }
  // "/" is one empty segment, "/a/" is ["a", ""]: a trailing slash is a distinct path.
  return pathname.split('/').slice(1).map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw new UnsafePathError('the path contains an invalid percent-encoding');
    }
  });
}

/**
 * Matches decoded path segments against a compiled pattern.
 * @returns {Record<string, string> | null} the bound parameters, or null when it does not match
 */
function matchPattern(compiled, segments) {
  const { segments: want, wildcard } = compiled;
  if (wildcard ? segments.length <= want.length : segments.length !== want.length) {
    // A wildcard needs at least one more segment (possibly empty: "/api/orders/"), never the bare prefix.
    return null;
  }
  const params = {};
  for (let i = 0; i < want.length; i++) {
    const segment = segments[i];
    if (want[i].literal !== undefined) {
      if (segment !== want[i].literal) return null;
    } else {
      if (segment === '') return null;
      params[want[i].param] = segment;
    }
  }
  return params;
}

/**
 * First match wins, in policy order.
 * @param {Array<{ methods: Set<string> | null, otherMethods: string, pattern: object }>} routes
 * @param {string} method
 * @param {string[]} segments
 * @returns {{ route: object, params: Record<string, string> }
 *   | { route: null, allowedMethods: string[], pathOwned: boolean }}
 *   when nothing matches, `allowedMethods` lists the methods of routes whose path matched (for a 405),
 *   and `pathOwned` says whether one of them keeps its other methods (`otherMethods: "deny"`, the
 *   default): then the answer is 405 whatever `unmatched` says.
 */
function findRoute(routes, method, segments) {
  const allowedMethods = new Set();
  let pathOwned = false;
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (params === null) continue;
    if (route.methods === null || route.methods.has(method)) return { route, params };
    for (const m of route.methods) allowedMethods.add(m);
    if (route.otherMethods !== 'unmatched') pathOwned = true;
  }
  return { route: null, allowedMethods: [...allowedMethods].sort(), pathOwned };
}

export { compilePattern, UnsafePathError, splitPath, matchPattern, findRoute };
