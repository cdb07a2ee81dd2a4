// Where a key source keeps its last good JWK Set between processes, isolates and restarts:
// `{ get(key), put(key, value, ttl) }`, both may return promises; `value` is text, `ttl` whole
// seconds the entry is worth keeping (the keys' TTL plus `maxStale`). What is read back is
// judged again before use, like a fetched document.
//
// ES module source with the restricted syntax of errors.js (the build writes a CommonJS copy).

/**
 * A store in this process's memory. The default in Node and browsers is one such store shared
 * by every key source, so verifiers built apart for the same issuer and JWK Set URL share keys.
 */
function memoryStore() {
  const entries = new Map();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (Date.now() >= entry.until) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    put(key, value, ttl) {
      entries.set(key, { value, until: Date.now() + ttl * 1000 });
    },
  };
}

/**
 * The Workers Cache API (per data centre, shared by the isolates there): the default in Workers.
 * @param {Cache} [cache] default `caches.default`, looked up at the first use (Workers refuse
 *   I/O at module scope, and the entry's module loads before any request)
 */
function cacheApiStore(cache) {
  const resolve = () => cache ?? globalThis.caches.default;
  // The Cache API keys on URLs; this host is reserved (RFC 6761 .invalid), never fetched.
  const urlOf = (key) => `https://jwtward.invalid/keys/${encodeURIComponent(key)}`;
  return {
    async get(key) {
      const response = await resolve().match(urlOf(key));
      return response === undefined ? undefined : response.text();
    },
    async put(key, value, ttl) {
      await resolve().put(
        urlOf(key),
        new Response(value, {
          headers: { 'content-type': 'application/json', 'cache-control': `max-age=${Math.max(1, Math.ceil(ttl))}` },
        }),
      );
    },
  };
}

/**
 * Workers KV (global, eventually consistent): `kvStore(env.JWKS)`. KV keeps an entry at least
 * 60 s and names it with at most 512 bytes, so longer keys are replaced by their SHA-256.
 * @param {{ get(key: string): Promise<string | null>, put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void> }} namespace
 */
function kvStore(namespace) {
  if (namespace === null || typeof namespace !== 'object' || typeof namespace.get !== 'function' || typeof namespace.put !== 'function') {
    throw new TypeError('kvStore(namespace): pass a KV namespace binding (env.NAME)');
  }
  const nameOf = async (key) => {
    if (new TextEncoder().encode(key).length <= 512) return key;
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
    return `jwtward:sha256:${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  };
  return {
    async get(key) {
      return (await namespace.get(await nameOf(key))) ?? undefined;
    },
    async put(key, value, ttl) {
      await namespace.put(await nameOf(key), value, { expirationTtl: Math.max(60, Math.ceil(ttl)) });
    },
  };
}

export { cacheApiStore, kvStore, memoryStore };
