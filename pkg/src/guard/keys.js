// Where the guard's keys come from: an inline JWK Set, or a `jwksUri` fetched and cached. This is the
// guard's one seam to keys (`createKeySource`): the engine asks it to verify a token for a route's
// requirement set and gets jwtward's verdict, or ERR_JWKS_UNAVAILABLE (a 503, not a 401).
//
// The remote cache, per guard (module scope in a Worker isolate, per process in Node):
// - In memory: the JWK Set text and the jwtward Verifiers built from it (pkg/src/guard/verifiers.js).
// - Where the runtime has one (Workers), the Cache API (`caches.default`): a copy of the last good JWK
//   Set with its fetch time and expiry, so a fresh isolate (isolates come and go all the time on
//   Workers) starts with keys instead of a fetch. Kept for 7 days, longer than any TTL, so it can also
//   stand in while the issuer is down.
// - TTL: from the response's Cache-Control max-age (minus Age), `defaultTtl` without one, clamped to
//   [minTtl, maxTtl] (default [1 min, 24 h]). Near the end (the last fifth of the TTL, at most the last
//   minute) the next request starts a refresh in the background (ctx.waitUntil) and is served with the
//   current keys (in Workers through `ctx.waitUntil`, when the host passes its ctx). Past the TTL, a
//   request waits for the refresh.
// - Unknown `kid` (jwtward says ERR_JWT_KEY_NOT_FOUND): at most one refetch per `cooldown` (30 s), so a
//   flood of tokens with made-up kids cannot turn the Worker into a load generator against the issuer.
// - Single flight: while a fetch is running, every request that needs one waits for that fetch (with a
//   timer of its own, so a request never hangs on another request's I/O).
// - The issuer down: the keys we have keep serving, past their TTL; a failed fetch is retried at most
//   every min(cooldown, 5 s), in the background while we have keys.
// - A bad response (not 200, not JSON, not a JWK Set, too large, no keys, or a set jwtward refuses to
//   build a Verifier from) is logged and ignored: it never replaces keys that work.

import { JwtError } from 'jwtward';
import { VerifierSet } from './verifiers.js';

const MAX_JWKS_BYTES = 512 * 1024;
const CACHE_RETENTION_SECONDS = 7 * 86400;
const FAILURE_RETRY_MAX_MS = 5000;

/** No keys at all: the issuer was never reached (or only ever sent bad responses). A 503, not a 401. */
class KeysUnavailableError extends Error {
  constructor(message) {
    super(message);
    this.name = 'KeysUnavailableError';
  }
}

class JwksFetchError extends Error {
  constructor(outcome, message) {
    super(message);
    this.outcome = outcome;
  }
}

/**
 * TTL in ms from a JWKS response's headers.
 * @param {Headers} headers
 * @param {{ minTtlMs: number, maxTtlMs: number, defaultTtlMs: number }} limits
 */
function ttlFromHeaders(headers, { minTtlMs, maxTtlMs, defaultTtlMs }) {
  const directives = (headers.get('cache-control') ?? '').toLowerCase().split(',').map((d) => d.trim());
  let ttl = defaultTtlMs;
  if (directives.includes('no-store') || directives.includes('no-cache')) {
    ttl = 0; // "do not reuse" becomes the shortest TTL we allow, not a fetch per request
  } else {
    const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d+)"?$/.exec(d)).find(Boolean);
    if (maxAge) {
      const age = Number.parseInt(headers.get('age') ?? '0', 10);
      ttl = (Number(maxAge[1]) - (Number.isFinite(age) && age > 0 ? age : 0)) * 1000;
    }
  }
  return Math.min(maxTtlMs, Math.max(minTtlMs, ttl));
}

/** Keys given inline in the policy: built once at startup (a bad set stops the Worker there). */
class InlineKeys {
  constructor(jwks, verifiers) {
    this.verifiers = verifiers;
    verifiers.install(verifiers.build(jwks));
  }

  async ready() {}

  /** Inline keys never change: nothing to refetch. */
  async refetchForUnknownKid() {
    return false;
  }
}

class RemoteKeys {
  /**
   * @param {{ uri: string, cooldownMs: number, minTtlMs: number, maxTtlMs: number, defaultTtlMs: number, timeoutMs: number }} config
   * @param {VerifierSet} verifiers
   * @param {(event: object) => void} log
   */
  constructor(config, verifiers, log) {
    this.config = config;
    this.verifiers = verifiers;
    this.log = log;
    this.cacheKey = `https://jwks-cache.jwtward.invalid/${encodeURIComponent(config.uri)}`;
    this.retryMs = Math.min(config.cooldownMs, FAILURE_RETRY_MAX_MS);
    /** @type {null | { text: string, fetchedAt: number, expiresAt: number, refreshAt: number }} */
    this.keys = null;
    this.inflight = null;
    this.cacheRead = null;
    this.lastKidRefetchAt = -Infinity;
    this.failedAt = null; // when the last attempt failed; null once an attempt succeeds
  }

  /**
   * Makes sure there are keys to verify with, refreshing them as their TTL says.
   * Throws KeysUnavailableError when there are none and the issuer cannot give any.
   */
  async ready(ctx) {
    if (!this.keys) {
      this.cacheRead ??= this.#readCache();
      await this.#join(this.cacheRead);
    }
    const now = Date.now();
    const retryAllowed = this.failedAt === null || now - this.failedAt >= this.retryMs;
    if (!this.keys) {
      if (!this.inflight && !retryAllowed) throw new KeysUnavailableError('the JWK Set could not be fetched; retrying shortly');
      await this.#refresh(ctx, 'cold');
      if (!this.keys) throw new KeysUnavailableError('the JWK Set could not be fetched');
    } else if (now >= this.keys.expiresAt) {
      // Expired. If the issuer answered last time, wait for fresh keys; if it is known to be down, serve
      // the stale keys now and try again in the background.
      if (this.failedAt === null) await this.#refresh(ctx, 'expired');
      else if (retryAllowed) this.#background(ctx, 'expired');
    } else if (now >= this.keys.refreshAt && retryAllowed) {
      this.#background(ctx, 'near_expiry');
    }
  }

  /**
   * jwtward found no key for a token: refetch, at most once per cooldown, and say whether the key set
   * changed (then the caller verifies again with the new Verifiers).
   */
  async refetchForUnknownKid(ctx) {
    const before = this.verifiers.version;
    if (this.inflight) {
      await this.#join(this.inflight);
    } else {
      const now = Date.now();
      if (now - this.lastKidRefetchAt < this.config.cooldownMs) return false;
      this.lastKidRefetchAt = now;
      await this.#refresh(ctx, 'unknown_kid');
    }
    return this.verifiers.version !== before;
  }

  #background(ctx, reason) {
    if (this.inflight) return;
    keepAlive(ctx, this.#refresh(ctx, reason));
  }

  // Single flight: the first caller starts the fetch, later callers join it.
  #refresh(ctx, reason) {
    if (this.inflight) return this.#join(this.inflight);
    const flight = this.#fetchAndInstall(ctx, reason).finally(() => {
      if (this.inflight === flight) this.inflight = null;
    });
    this.inflight = flight;
    return flight;
  }

  // Waits for a promise another request may have started, but never longer than a fetch may take: if
  // that request is cancelled, its I/O is too, and we must not wait for it forever.
  async #join(promise) {
    let timer;
    const bound = new Promise((resolve) => {
      timer = setTimeout(resolve, this.config.timeoutMs + 1000);
    });
    try {
      await Promise.race([promise, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #fetchAndInstall(ctx, reason) {
    const started = Date.now();
    const event = { event: 'jwks_fetch', uri: this.config.uri, reason };
    try {
      const { text, jwks, ttlMs } = await this.#fetch();
      const changed = !this.keys || text !== this.keys.text;
      let built = null;
      if (changed) {
        try {
          built = this.verifiers.build(jwks);
        } catch (error) {
          throw new JwksFetchError('rejected', `jwtward refused the JWK Set (${error?.code ?? error?.name})`);
        }
      }
      if (built) this.verifiers.install(built);
      const now = Date.now();
      this.keys = { text, fetchedAt: now, ...expiry(now, ttlMs) };
      this.failedAt = null;
      keepAlive(ctx, this.#writeCache(this.keys));
      this.log({
        ...event,
        outcome: changed ? 'installed' : 'unchanged',
        kids: jwks.keys.map((k) => (typeof k?.kid === 'string' ? k.kid.slice(0, 64) : null)),
        ttl_s: Math.round(ttlMs / 1000),
        ms: Date.now() - started,
      });
    } catch (error) {
      this.failedAt = Date.now();
      this.log({
        ...event,
        outcome: error instanceof JwksFetchError ? error.outcome : 'failed',
        error: error instanceof JwksFetchError ? error.message : String(error?.name ?? error),
        kept_previous_keys: this.keys !== null,
        ms: Date.now() - started,
      });
    }
  }

  async #fetch() {
    let response;
    try {
      response = await fetch(this.config.uri, {
        headers: { accept: 'application/jwk-set+json, application/json;q=0.9' },
        // A redirect could lead anywhere, including plain http: an issuer's JWKS URI should not move.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (error) {
      throw new JwksFetchError('unreachable', error?.name === 'TimeoutError' ? 'timed out' : 'network error');
    }
    try {
      if (response.status !== 200) throw new JwksFetchError('bad_response', `HTTP ${response.status}`);
      if (Number(response.headers.get('content-length')) > MAX_JWKS_BYTES) throw new JwksFetchError('bad_response', 'larger than 512 KiB');
      const text = await response.text();
      if (text.length > MAX_JWKS_BYTES) throw new JwksFetchError('bad_response', 'larger than 512 KiB');
      let jwks;
      try {
        jwks = JSON.parse(text);
      } catch {
        throw new JwksFetchError('bad_response', 'not JSON');
      }
      if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
        throw new JwksFetchError('bad_response', 'not a JWK Set with at least one key');
      }
      return { text, jwks, ttlMs: ttlFromHeaders(response.headers, this.config) };
    } catch (error) {
      if (!response.bodyUsed) await response.body?.cancel().catch(() => {});
      if (error instanceof JwksFetchError) throw error;
      throw new JwksFetchError('unreachable', error?.name === 'TimeoutError' ? 'timed out reading the body' : 'error reading the body');
    }
  }

  async #readCache() {
    const cache = platformCache();
    if (!cache) return;
    try {
      const cached = await cache.match(this.cacheKey);
      if (!cached) return;
      const fetchedAt = Number(cached.headers.get('x-jwtward-fetched-at'));
      const expiresAt = Number(cached.headers.get('x-jwtward-expires-at'));
      const text = await cached.text();
      // A fetch may have completed while we read: the fresher keys win.
      if (this.keys || !Number.isFinite(fetchedAt) || !Number.isFinite(expiresAt)) return;
      this.verifiers.install(this.verifiers.build(JSON.parse(text)));
      this.keys = { text, fetchedAt, ...expiry(fetchedAt, expiresAt - fetchedAt) };
      this.log({ event: 'jwks_cache', uri: this.config.uri, outcome: 'loaded', age_s: Math.round((Date.now() - fetchedAt) / 1000) });
    } catch (error) {
      this.log({ event: 'jwks_cache', uri: this.config.uri, outcome: 'unusable', error: String(error?.code ?? error?.name ?? error) });
    }
  }

  async #writeCache(keys) {
    const cache = platformCache();
    if (!cache) return;
    try {
      await cache.put(this.cacheKey, new Response(keys.text, {
        headers: {
          'content-type': 'application/json',
          'cache-control': `max-age=${CACHE_RETENTION_SECONDS}`,
          'x-jwtward-fetched-at': String(keys.fetchedAt),
          'x-jwtward-expires-at': String(keys.expiresAt),
        },
      }));
    } catch (error) {
      this.log({ event: 'jwks_cache', uri: this.config.uri, outcome: 'write_failed', error: String(error?.name ?? error) });
    }
  }
}

// The Workers Cache API where there is one; null elsewhere (Node, browsers' `caches` has no `default`).
function platformCache() {
  return globalThis.caches?.default ?? null;
}

// Work that must outlive the request: handed to the Worker's ctx.waitUntil when there is a ctx; elsewhere
// the promise just runs (it never rejects: every path catches and logs).
function keepAlive(ctx, promise) {
  if (typeof ctx?.waitUntil === 'function') ctx.waitUntil(promise);
}

// Refresh in the background during the last fifth of the TTL, but at most in its last minute.
function expiry(fetchedAt, ttlMs) {
  const expiresAt = fetchedAt + ttlMs;
  return { expiresAt, refreshAt: expiresAt - Math.min(ttlMs / 5, 60_000) };
}

// An Ed25519 public key from RFC 8037 Appendix A.2. It is only used at startup, with a `jwksUri`
// policy, to let jwtward check the policy's options before any key has been fetched; those Verifiers are
// freed at once and never verify a token.
const OPTIONS_CHECK_JWKS = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }] };

/**
 * The guard's key source for a compiled policy. Throws at creation for what jwtward refuses (inline keys
 * it cannot use, options it rejects), so a guard that cannot verify never starts.
 * @param {object} policy the compiled policy
 * @param {(record: object) => void} log the guard's log hook (key fetch events)
 * @returns {{ verify(route: object, token: string, ctx?: { waitUntil?(p: Promise<unknown>): void }):
 *   Promise<{ verified: object, refetched: boolean } | { error: { code: string, message: string, claim?: string } }> }}
 */
function createKeySource(policy, log) {
  const verifiers = new VerifierSet(policy);
  let keys;
  if (policy.keys.inline) {
    keys = new InlineKeys(policy.keys.inline, verifiers);
  } else {
    for (const verifier of verifiers.build(OPTIONS_CHECK_JWKS).values()) verifier.free();
    keys = new RemoteKeys(policy.keys, verifiers, log);
  }

  // verifyAsync: WebCrypto does the signature arithmetic (RSA, ECDSA, Ed25519) in Workers, OpenSSL in
  // Node, jwtward's core everything else. A key rotation may free this Verifier while the check is in
  // flight; jwtward frees it only once the check has settled.
  async function once(route, token) {
    try {
      return { verified: await verifiers.get(route).verifyAsync(token) };
    } catch (error) {
      if (error instanceof JwtError) return { error };
      throw error;
    }
  }

  return {
    async verify(route, token, ctx) {
      try {
        await keys.ready(ctx);
      } catch (error) {
        if (!(error instanceof KeysUnavailableError)) throw error;
        return { error: { code: 'ERR_JWKS_UNAVAILABLE', message: error.message } };
      }
      const first = await once(route, token);
      if (first.error?.code === 'ERR_JWT_KEY_NOT_FOUND' && (await keys.refetchForUnknownKid(ctx))) {
        return { ...(await once(route, token)), refetched: true };
      }
      return first;
    },
  };
}

export { KeysUnavailableError, ttlFromHeaders, InlineKeys, RemoteKeys, createKeySource };
