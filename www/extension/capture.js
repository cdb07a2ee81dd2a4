// Where tokens are found in the inspected page's traffic: the HAR entries DevTools hands to
// `chrome.devtools.network` (onRequestFinished, getHAR). Pure functions and one small class, no
// DOM and no extension API, so Node tests them directly. What a token *is* (valid, expired, ...)
// is the engine's business; this file only says "this string looks like a compact JWS, and it was
// here".

/** Longest value looked at: the engine's own default limit (64 KiB) for a token. */
const MAX_TOKEN_LENGTH = 64 * 1024;
/** Largest response body searched for tokens (token endpoints answer a few KiB). */
export const MAX_BODY_LENGTH = 1024 * 1024;

// A compact JWS whose header is a JSON object: base64url of `{"` starts with "eyJ". The signature
// may be empty (alg "none"), so the engine can say what is wrong with such a token.
const COMPACT_JWS = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Whether a string looks like a compact JWS (a JWT), without decoding it. */
export function isJwtShaped(value) {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && COMPACT_JWS.test(value);
}

/** The value of the first header called `name` (case-insensitive) in a HAR header list. */
export function headerValue(headers, name) {
  const wanted = name.toLowerCase();
  const found = (headers ?? []).find((header) => String(header?.name).toLowerCase() === wanted);
  return typeof found?.value === 'string' ? found.value : undefined;
}

/** A cookie value as sent: surrounding quotes (RFC 6265 allows them) and percent-encoding undone. */
function cookieValue(raw) {
  let value = String(raw ?? '').trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  if (value.includes('%')) {
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoding after all: look at it as it is.
    }
  }
  return value;
}

/**
 * The tokens a request carries: `Authorization: <scheme> <token>` (Bearer, DPoP, or any scheme
 * whose credential is a JWT), an `access_token` query parameter (RFC 6750 §2.3) and cookies.
 * Each is `{ token, source, label }`; `source` is `{ kind: 'authorization', scheme }`,
 * `{ kind: 'query', name }` or `{ kind: 'cookie', name }`.
 */
export function requestTokens(request) {
  const found = [];
  const authorization = headerValue(request?.headers, 'authorization');
  if (authorization) {
    const match = /^\s*(?:([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s+)?(\S+)\s*$/.exec(authorization);
    if (match && isJwtShaped(match[2])) {
      const scheme = match[1] ?? '';
      found.push({ token: match[2], source: { kind: 'authorization', scheme }, label: `Authorization${scheme ? `: ${scheme}` : ''}` });
    }
  }
  for (const param of request?.queryString ?? []) {
    const value = cookieValue(param?.value);
    if (param?.name === 'access_token' && isJwtShaped(value)) {
      found.push({ token: value, source: { kind: 'query', name: param.name }, label: `Query ${param.name}` });
    }
  }
  for (const cookie of cookiesOf(request?.cookies, headerValue(request?.headers, 'cookie'))) {
    found.push({ token: cookie.value, source: { kind: 'cookie', name: cookie.name }, label: `Cookie ${cookie.name}` });
  }
  return found;
}

/**
 * The tokens a response carries: `Set-Cookie` values and, given the body text of a JSON response,
 * every JWT-shaped string in it (a token endpoint's `access_token`, `id_token`, ...).
 * `source` is `{ kind: 'set-cookie', name }` or `{ kind: 'json', path }`.
 */
export function responseTokens(response, bodyText) {
  const found = [];
  for (const cookie of response?.cookies ?? []) {
    const value = cookieValue(cookie?.value);
    if (isJwtShaped(value)) found.push({ token: value, source: { kind: 'set-cookie', name: String(cookie.name) }, label: `Set-Cookie ${cookie.name}` });
  }
  if (typeof bodyText === 'string' && isJsonResponse(response)) {
    for (const { path, token } of jsonTokens(bodyText)) {
      found.push({ token, source: { kind: 'json', path }, label: `Response ${path}` });
    }
  }
  return found;
}

/** Whether the body is worth reading for tokens: JSON by its media type, and not too large. */
export function isJsonResponse(response) {
  const type = String(response?.content?.mimeType ?? headerValue(response?.headers, 'content-type') ?? '').toLowerCase();
  const size = Number(response?.content?.size ?? 0);
  return /(^|\/|\+)json\b/.test(type.split(';')[0].trim()) && size <= MAX_BODY_LENGTH;
}

/**
 * Every JWT-shaped string in a JSON document, with where it was: `access_token`,
 * `data.tokens[0]`. Bounded (depth, number of values), so a huge response costs little.
 */
export function jsonTokens(text, { maxDepth = 8, maxValues = 10_000 } = {}) {
  if (typeof text !== 'string' || text.length > MAX_BODY_LENGTH) return [];
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const found = [];
  let visited = 0;
  const walk = (value, path, depth) => {
    if (visited++ > maxValues) return;
    if (typeof value === 'string') {
      if (isJwtShaped(value)) found.push({ path: path || '(body)', token: value });
    } else if (Array.isArray(value)) {
      if (depth < maxDepth) value.forEach((item, index) => walk(item, `${path}[${index}]`, depth + 1));
    } else if (value && typeof value === 'object' && depth < maxDepth) {
      for (const key of Object.keys(value)) walk(value[key], path ? `${path}.${key}` : key, depth + 1);
    }
  };
  walk(doc, '', 0);
  return found;
}

/** Cookies from the HAR list, or parsed from the Cookie header when DevTools gives no list. */
function cookiesOf(list, header) {
  const pairs = Array.isArray(list) && list.length
    ? list.map((cookie) => [String(cookie?.name ?? ''), cookie?.value])
    : String(header ?? '').split(';').map((part) => {
      const at = part.indexOf('=');
      return at < 0 ? null : [part.slice(0, at).trim(), part.slice(at + 1)];
    }).filter(Boolean);
  return pairs.map(([name, raw]) => ({ name, value: cookieValue(raw) })).filter((cookie) => isJwtShaped(cookie.value));
}

/**
 * The sightings in one HAR entry: each token found, with the request it was seen in. The request
 * keeps its method, URL and `DPoP` header (the proof a sender-constrained token travels with).
 * `bodyText` is the response body when the caller read it (JSON responses only).
 */
export function entrySightings(entry, bodyText) {
  const request = entry?.request ?? {};
  const seen = {
    time: Date.parse(entry?.startedDateTime ?? '') || Date.now(),
    method: String(request.method ?? 'GET'),
    url: String(request.url ?? ''),
    status: Number(entry?.response?.status ?? 0),
    dpop: headerValue(request.headers, 'dpop'),
  };
  return [...requestTokens(request), ...responseTokens(entry?.response, bodyText)].map((found) => ({ ...found, ...seen }));
}

/**
 * The tokens seen so far, one row per distinct token (de-duplicated), in the order first seen
 * (by the time of the request, whatever order DevTools reports requests in). A row keeps its
 * latest sightings (where, when, how), oldest first.
 */
export class TokenLog {
  #rows = new Map();
  #nextId = 1;

  constructor({ maxRows = 500, maxSightings = 50 } = {}) {
    this.maxRows = maxRows;
    this.maxSightings = maxSightings;
  }

  /** Records a sighting; returns its row (new or updated). */
  add(sighting) {
    let row = this.#rows.get(sighting.token);
    if (!row) {
      row = { id: this.#nextId++, token: sighting.token, firstSeen: sighting.time, sightings: [] };
      this.#rows.set(sighting.token, row);
      if (this.#rows.size > this.maxRows) this.#rows.delete(this.#rows.keys().next().value);
    }
    const { token, ...where } = sighting;
    row.firstSeen = Math.min(row.firstSeen, where.time);
    // The same request reported twice (getHAR and onRequestFinished overlap) counts once.
    const duplicate = row.sightings.some((s) => s.time === where.time && s.url === where.url && s.label === where.label && s.method === where.method);
    if (!duplicate) {
      row.sightings.push(where);
      row.sightings.sort((a, b) => a.time - b.time);
      if (row.sightings.length > this.maxSightings) row.sightings.shift();
    }
    return row;
  }

  rows() {
    return [...this.#rows.values()].sort((a, b) => a.firstSeen - b.firstSeen || a.id - b.id);
  }

  row(id) {
    return this.rows().find((row) => row.id === id);
  }

  clear() {
    this.#rows.clear();
  }
}

/** The latest sighting of a row that presented the token to a server (not one that received it). */
export function presented(row) {
  const sent = row.sightings.filter((s) => s.source.kind !== 'json' && s.source.kind !== 'set-cookie');
  return sent.at(-1) ?? row.sightings.at(-1);
}

/** The origin a row's policy belongs to: where the token was last presented (its API). */
export function apiOrigin(row) {
  try {
    return new URL(presented(row).url).origin;
  } catch {
    return '';
  }
}
