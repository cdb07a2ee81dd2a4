// Fetching one document of an issuer (its JWK Set, or its metadata) the way a key source must:
// `https:` only (plain `http:` for loopback hosts, for development), a timeout covering the
// whole exchange, at most 512 KiB read (the body is streamed and dropped past it), redirects
// followed only within the same origin, and the time to keep the answer from its cache headers.
// Runtime-neutral: fetch, AbortSignal, TextDecoder, nothing else.
//
// ES module source with the restricted syntax of errors.js (the build writes a CommonJS copy).

/** The largest document read: an issuer's JWK Set is a few KiB. */
const MAX_DOCUMENT_BYTES = 512 * 1024;
/** Same-origin redirects followed in a row before giving up. */
const MAX_REDIRECTS = 3;

/**
 * A document that could not be had, or was refused. `reason` is stable (events carry it):
 * 'timeout', 'network', 'status', 'redirect', 'too_large', 'not_json', and the refusals of the
 * callers ('not_jwks', 'private_key', 'no_usable_key', 'issuer_mismatch', 'bad_metadata').
 */
class FetchFailure extends Error {
  constructor(reason, message, status) {
    super(message);
    this.reason = reason;
    if (status !== undefined) this.status = status;
  }
}

/** Loopback hosts, where plain http is allowed (a development issuer on this machine). */
function isLoopback(hostname) {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * Why `value` cannot be a URL to fetch keys or metadata from, or undefined when it can.
 * The URL parser normalises the host first (so `http://2130706433/` is 127.0.0.1).
 */
function urlProblem(value) {
  if (typeof value !== 'string') return 'must be a URL string';
  let url;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return undefined;
  return 'must be an https: URL (plain http: only for loopback hosts)';
}

/**
 * GETs `url` and returns `{ text, headers, status }` of a 200 answer; throws FetchFailure.
 * @param {string} url checked with urlProblem() by the caller
 * @param {{ fetch: typeof fetch, timeoutMs: number, accept: string, browserFetch: boolean }} how
 *   browserFetch: the runtime's fetch is a browser's, whose `redirect: 'manual'` answers hide
 *   the Location: it follows redirects and the origin it ended on is checked (elsewhere,
 *   redirects are followed here, same origin only, so a cross-origin target is never even
 *   requested); and whose HTTP cache could answer a refetch with the document it holds (and,
 *   filling an entry, may fetch a document again): it is bypassed, the key source is the cache.
 */
async function fetchDocument(url, how) {
  const signal = AbortSignal.timeout(how.timeoutMs);
  const origin = new URL(url).origin;
  let current = url;
  for (let hop = 0; ; hop += 1) {
    let response;
    try {
      const init = { headers: { accept: how.accept }, redirect: how.browserFetch ? 'follow' : 'manual', signal };
      // Only browsers get `cache` (workerd refuses the member).
      if (how.browserFetch) init.cache = 'no-store';
      response = await how.fetch(current, init);
    } catch (error) {
      throw transportFailure(error, signal);
    }
    if (response.type === 'opaqueredirect') {
      discard(response);
      throw new FetchFailure('redirect', 'redirected (the target cannot be inspected)', response.status);
    }
    if (how.browserFetch && response.redirected && safeOrigin(response.url) !== origin) {
      discard(response);
      throw new FetchFailure('redirect', 'redirected to another origin', response.status);
    }
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      const location = response.headers.get('location');
      discard(response);
      const next = location === null ? undefined : safeUrl(location, current);
      if (next === undefined || new URL(next).origin !== origin) {
        throw new FetchFailure('redirect', 'redirected to another origin', response.status);
      }
      if (hop >= MAX_REDIRECTS) throw new FetchFailure('redirect', 'too many redirects', response.status);
      current = next;
      continue;
    }
    if (response.status !== 200) {
      discard(response);
      throw new FetchFailure('status', `HTTP ${response.status}`, response.status);
    }
    const text = await readText(response, signal);
    return { text, headers: response.headers, status: response.status };
  }
}

function transportFailure(error, signal) {
  if (error instanceof FetchFailure) return error;
  if (signal.aborted) return new FetchFailure('timeout', 'timed out');
  return new FetchFailure('network', `network error (${error?.name ?? 'Error'})`);
}

function safeUrl(location, base) {
  try {
    return new URL(location, base).href;
  } catch {
    return undefined;
  }
}

function safeOrigin(url) {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

// An unread body keeps the connection (and, in Workers, the request's I/O) busy: cancel it.
function discard(response) {
  response.body?.cancel().catch(() => {});
}

/** The body as UTF-8 text, at most MAX_DOCUMENT_BYTES, streamed so a huge body is never held. */
async function readText(response, signal) {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_DOCUMENT_BYTES) {
    discard(response);
    throw new FetchFailure('too_large', 'larger than 512 KiB', response.status);
  }
  const chunks = [];
  let total = 0;
  try {
    if (response.body !== null) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > MAX_DOCUMENT_BYTES) {
          reader.cancel().catch(() => {});
          throw new FetchFailure('too_large', 'larger than 512 KiB', response.status);
        }
        chunks.push(value);
      }
    }
  } catch (error) {
    throw transportFailure(error, signal);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FetchFailure('not_json', 'not UTF-8 text', response.status);
  }
}

/** The JSON object in `text`, or a FetchFailure('not_json'). */
function parseJsonObject(text, status) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FetchFailure('not_json', 'not JSON', status);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FetchFailure('not_json', 'not a JSON object', status);
  }
  return value;
}

/** `object[name]` if it is an own member (never one inherited from a polluted prototype). */
function ownMember(object, name) {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

/**
 * How long to keep a document, in ms: the response's `Cache-Control` max-age minus its `Age`,
 * `defaultTtlMs` without one, clamped to [minTtlMs, maxTtlMs]. `no-store` and `no-cache` ("do
 * not reuse without asking") become the shortest TTL allowed, not a fetch per request.
 * @param {Headers} headers
 * @param {{ minTtlMs: number, maxTtlMs: number, defaultTtlMs: number }} limits
 */
function ttlFromHeaders(headers, { minTtlMs, maxTtlMs, defaultTtlMs }) {
  const directives = (headers.get('cache-control') ?? '')
    .toLowerCase()
    .split(',')
    .map((directive) => directive.trim());
  let ttl = defaultTtlMs;
  if (directives.includes('no-store') || directives.includes('no-cache')) {
    ttl = 0;
  } else {
    const maxAge = directives.map((directive) => /^max-age\s*=\s*"?(\d+)"?$/.exec(directive)).find(Boolean);
    if (maxAge) {
      const age = Number.parseInt(headers.get('age') ?? '0', 10);
      ttl = (Number(maxAge[1]) - (Number.isFinite(age) && age > 0 ? age : 0)) * 1000;
    }
  }
  return Math.min(maxTtlMs, Math.max(minTtlMs, ttl));
}

export { FetchFailure, MAX_DOCUMENT_BYTES, fetchDocument, ownMember, parseJsonObject, ttlFromHeaders, urlProblem };
