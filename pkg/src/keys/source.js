// A key source: the JWK Set of one issuer at one URL (given, or discovered from the issuer's
// metadata), fetched when it must be and never otherwise, cached, kept across isolates through
// a store, and followed through rotations. Moved here from the Worker (worker/src/jwks.mjs),
// where it served one issuer, so that Node, Workers and browsers share one implementation.
//
// - TTL: the response's Cache-Control max-age minus Age, `defaultTtl` without one, clamped to
//   [minTtl, maxTtl] (default [1 min, 24 h]). In the last fifth of the TTL (at most its last
//   minute) a call starts a refresh in the background (`waitUntil`, when the host gives one)
//   and is served with the current keys. Past the TTL, verifyAsync waits for the refresh while
//   the issuer answers; sync verify never waits.
// - Whole-set replace: the keys are the last accepted document, nothing merged; the Verifiers
//   build new core verifiers from it (and drop cached results of the old ones).
// - Unknown `kid`: at most one refetch per `cooldown` (default 30 s) per source; a miss while a
//   fetch runs waits for that fetch (single flight); so a flood of made-up kids cannot turn the
//   verifier into a load generator against the issuer.
// - Faults: a document that cannot be had or is refused (fetch.js, jwks.js, discovery.js) never
//   replaces keys that work; they keep serving past their TTL for up to `maxStale` (default
//   7 days) while the issuer is down. Failed attempts are retried backed off: after
//   min(cooldown, 5 s), doubling up to 5 min; in between, nothing is fetched and a call with no
//   keys at all fails at once with ERR_JWKS_UNAVAILABLE (`retryAfter` says when to retry).
// - Store: the last good document and its times, read once when the source has no keys, written
//   after each accepted fetch: a fresh isolate with a warm store verifies without fetching.
// - Time: `clock()` (ms, default Date.now) for every decision; real time only bounds waits for
//   I/O. Events (`onEvent`) say what happened, for logs; a throwing hook is ignored.
//
// ES module source with the restricted syntax of errors.js (the build writes a CommonJS copy).

import { unavailableError } from '../errors.js';
import { discover, jwksUriOf } from './discovery.js';
import { FetchFailure, fetchDocument, ttlFromHeaders, urlProblem } from './fetch.js';
import { judgeJwks } from './jwks.js';

const JWKS_ACCEPT = 'application/jwk-set+json, application/json;q=0.9';
const METADATA_ACCEPT = 'application/json';
/** The first retry after a failure: min(cooldown, this). */
const FIRST_RETRY_MAX_MS = 5_000;
/** Retries double up to this interval. */
const LAST_RETRY_MS = 300_000;
const STORE_FORMAT = 1;

class KeySource {
  #config;
  /** The keys in use: { text, kids, jwksUri, fetchedAt, expiresAt, refreshAt, staleUntil, version }. */
  #keys;
  /** Discovery's answer: { jwksUri, expiresAt }. */
  #metadata;
  /** The fetch in progress: { promise, startedAt (real ms) }. */
  #flight;
  #storeRead;
  #lastKidRefetchAt = -Infinity;
  #failures = 0;
  #retryAt = -Infinity;
  #lastFailure;
  #versions = 0;
  /** The last store write, while it runs. */
  #storeWrite;

  /**
   * @param {{
   *   issuer?: string, jwksUri?: string, discovery: boolean, scope: string,
   *   cooldownMs: number, timeoutMs: number, minTtlMs: number, maxTtlMs: number,
   *   defaultTtlMs: number, maxStaleMs: number,
   *   fetch: typeof fetch, store?: { get: Function, put: Function }, onEvent?: Function,
   *   waitUntil?: Function, clock: () => number, browserFetch: boolean, lint: Function,
   * }} config validated by keys/remote.js; `scope` is the issuer part of the store key;
   *   `waitUntil` is used by calls that give none
   */
  constructor(config) {
    this.#config = config;
    this.storeKey = `jwtward/keys/v${STORE_FORMAT} ${config.scope} ${config.jwksUri ?? 'discovery'}`;
  }

  /** The configured issuer (discovery, or a `jwksUri` scoped to one issuer), else undefined. */
  get issuer() {
    return this.#config.issuer;
  }

  /**
   * The keys to verify with now, or undefined (then `load`). Starts a background refresh when
   * they are near expiry, or past it while the issuer is failing.
   * @param {boolean} mayWait the caller can wait for a refresh (verifyAsync): past the TTL, with
   *   the issuer answering, it should
   */
  usable(waitUntil = this.#config.waitUntil, mayWait = false) {
    const keys = this.#keys;
    if (keys === undefined) return undefined;
    const now = this.#config.clock();
    if (now >= keys.staleUntil) return undefined;
    if (now >= keys.expiresAt) {
      if (mayWait && this.#failures === 0) return undefined;
      this.#background('expired', waitUntil, now);
    } else if (now >= keys.refreshAt) {
      this.#background('near_expiry', waitUntil, now);
    }
    return keys;
  }

  /**
   * Keys to verify with, fetched (or read from the store) if need be.
   * @returns {Promise<object>} as `usable`
   * @throws {JwtError} ERR_JWKS_UNAVAILABLE when there are none
   */
  async load(waitUntil = this.#config.waitUntil, stackStart = undefined) {
    if (this.#keys === undefined && this.#config.store !== undefined) {
      this.#storeRead ??= this.#readStore();
      await this.#join(this.#storeRead);
    }
    const usable = this.usable(waitUntil, true);
    if (usable !== undefined) return usable;
    if (!this.#flightAlive() && this.#config.clock() < this.#retryAt) {
      // Backing off: the issuer failed a moment ago. Stale keys serve; without any, fail fast.
      const stale = this.#servable();
      if (stale === undefined) throw this.unavailable(stackStart);
      return stale;
    }
    await this.#refresh(this.#keys === undefined ? 'cold' : 'expired', waitUntil);
    const keys = this.#servable();
    if (keys === undefined) throw this.unavailable(stackStart);
    return keys;
  }

  /**
   * Waits for the store write of the last accepted keys, if one is running (`ready()` does, so
   * that a store shared with another isolate holds the keys once it resolves; verification
   * never waits for it).
   */
  async storeWritten() {
    if (this.#storeWrite !== undefined) await this.#join(this.#storeWrite);
  }

  /** `load` for a caller that cannot wait (sync verify): starts it unless backing off. */
  loadInBackground(waitUntil = this.#config.waitUntil) {
    if (this.#flightAlive() || this.#config.clock() < this.#retryAt) return;
    // Rejections are the caller's ERR_JWKS_UNAVAILABLE; here nobody waits for them.
    const loading = this.load(waitUntil).catch(() => {});
    pass(waitUntil, loading);
  }

  /**
   * The core found no key for a token: refetch, at most once per cooldown, or wait for the fetch
   * in progress. Resolves whether the keys changed (then the caller verifies again).
   */
  async kidMiss(waitUntil = this.#config.waitUntil) {
    const before = this.#keys?.version;
    if (this.#flightAlive()) {
      await this.#join(this.#flight.promise);
    } else {
      if (!this.#kidRefetchAllowed()) return false;
      await this.#refresh('unknown_kid', waitUntil);
    }
    return this.#keys?.version !== before;
  }

  /** `kidMiss` for a caller that cannot wait (sync verify): the refetch runs in the background. */
  kidMissInBackground(waitUntil = this.#config.waitUntil) {
    if (this.#flightAlive() || !this.#kidRefetchAllowed()) return;
    pass(waitUntil, this.#refresh('unknown_kid', waitUntil));
  }

  /** The ERR_JWKS_UNAVAILABLE error for this source's current state. */
  unavailable(stackStart) {
    const now = this.#config.clock();
    const retryAfter = Math.max(1, Math.ceil((this.#retryAt - now) / 1000));
    const why = this.#lastFailure === undefined ? 'no keys yet' : `${this.#lastFailure.reason}: ${this.#lastFailure.message}`;
    const from = this.#config.jwksUri ?? `the metadata of ${this.#config.issuer}`;
    return unavailableError(`no keys to verify with from ${from} (${why})`, retryAfter, stackStart);
  }

  /** What the source holds, for health checks and logs. */
  status() {
    const keys = this.#keys;
    const now = this.#config.clock();
    return {
      issuer: this.#config.issuer,
      jwksUri: keys?.jwksUri ?? this.#metadata?.jwksUri ?? this.#config.jwksUri,
      loaded: keys !== undefined && now < keys.staleUntil,
      stale: keys !== undefined && now >= keys.expiresAt,
      kids: keys === undefined ? [] : [...keys.kids],
      fetchedAt: keys?.fetchedAt,
      expiresAt: keys?.expiresAt,
      lastError: this.#lastFailure?.reason,
    };
  }

  #servable() {
    const keys = this.#keys;
    return keys !== undefined && this.#config.clock() < keys.staleUntil ? keys : undefined;
  }

  // Whether an unknown kid may refetch now (then the time is recorded: the cooldown starts);
  // a refusal is reported as an event.
  #kidRefetchAllowed() {
    const now = this.#config.clock();
    let reason;
    let retryInMs;
    if (now - this.#lastKidRefetchAt < this.#config.cooldownMs) {
      reason = 'cooldown';
      retryInMs = this.#lastKidRefetchAt + this.#config.cooldownMs - now;
    } else if (now < this.#retryAt) {
      reason = 'backoff';
      retryInMs = this.#retryAt - now;
    } else {
      this.#lastKidRefetchAt = now;
      return true;
    }
    this.#emit({ type: 'kid_miss_refused', url: this.#keys?.jwksUri ?? this.#config.jwksUri, reason, retryInMs });
    return false;
  }

  #background(reason, waitUntil, now) {
    if (this.#flightAlive() || now < this.#retryAt) return;
    pass(waitUntil, this.#refresh(reason, waitUntil));
  }

  // A fetch bounds itself (AbortSignal.timeout per document: metadata, then the JWK Set); one
  // that outlives that was cancelled with the request that started it (Workers cancel a
  // request's I/O when it ends) and must not block the next one.
  #flightLimitMs() {
    return 2 * this.#config.timeoutMs + 1000;
  }

  #flightAlive() {
    return this.#flight !== undefined && Date.now() - this.#flight.startedAt < this.#flightLimitMs();
  }

  // Single flight: the first caller starts the fetch, later callers join it.
  #refresh(reason, waitUntil) {
    if (this.#flightAlive()) return this.#join(this.#flight.promise);
    const promise = this.#fetchAndInstall(reason, waitUntil).finally(() => {
      if (this.#flight?.promise === promise) this.#flight = undefined;
    });
    this.#flight = { promise, startedAt: Date.now() };
    return this.#join(promise);
  }

  // Waits for work another call may have started, never longer than that work may take.
  async #join(promise) {
    let timer;
    const bound = new Promise((resolve) => {
      timer = setTimeout(resolve, this.#flightLimitMs());
      // A Node process need not stay up for this timer.
      timer?.unref?.();
    });
    try {
      await Promise.race([promise, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #fetchAndInstall(reason, waitUntil) {
    try {
      const jwksUri = await this.#jwksUri(reason);
      const { document, judged, ttlMs } = await this.#get(jwksUri, 'jwks', reason, JWKS_ACCEPT, (doc) =>
        judgeJwks(doc.text, this.#config.lint, doc.status),
      );
      this.#install(document.text, judged.kids, jwksUri, this.#config.clock(), ttlMs, 'network');
      this.#failures = 0;
      this.#retryAt = -Infinity;
      this.#lastFailure = undefined;
      this.#writeStore(waitUntil);
    } catch (error) {
      this.#failures += 1;
      const first = Math.min(this.#config.cooldownMs, FIRST_RETRY_MAX_MS);
      this.#retryAt = this.#config.clock() + Math.min(Math.max(first, LAST_RETRY_MS), first * 2 ** (this.#failures - 1));
      this.#lastFailure = error instanceof FetchFailure ? error : { reason: 'internal', message: String(error?.message ?? error) };
    }
  }

  // The JWK Set URL: configured, or from the issuer's metadata (kept for the metadata's TTL).
  async #jwksUri(reason) {
    if (this.#config.jwksUri !== undefined) return this.#config.jwksUri;
    const known = this.#metadata;
    if (known !== undefined && this.#config.clock() < known.expiresAt) return known.jwksUri;
    const issuer = this.#config.issuer;
    try {
      const { judged, ttlMs } = await discover(issuer, (url) =>
        this.#get(url, 'metadata', reason, METADATA_ACCEPT, (doc) => jwksUriOf(doc, issuer)),
      );
      this.#metadata = { jwksUri: judged, expiresAt: this.#config.clock() + ttlMs };
      return judged;
    } catch (error) {
      if (known === undefined) throw error;
      // The metadata endpoint failing is no reason to stop refreshing keys from the URL it gave;
      // ask it again after the shortest TTL.
      known.expiresAt = this.#config.clock() + this.#config.minTtlMs;
      return known.jwksUri;
    }
  }

  // One document, with its events; `judge` throws a FetchFailure to refuse it.
  async #get(url, what, reason, accept, judge) {
    const started = Date.now();
    this.#emit({ type: 'fetch_started', what, url, reason });
    try {
      const document = await fetchDocument(url, {
        fetch: this.#config.fetch,
        timeoutMs: this.#config.timeoutMs,
        accept,
        browserFetch: this.#config.browserFetch,
      });
      const judged = judge(document);
      const ttlMs = ttlFromHeaders(document.headers, this.#config);
      this.#emit({ type: 'fetch_finished', what, url, reason, status: document.status, durationMs: Date.now() - started, ttlMs });
      return { document, judged, ttlMs };
    } catch (error) {
      const failure = error instanceof FetchFailure ? error : new FetchFailure('internal', String(error?.message ?? error));
      this.#emit({
        type: 'fetch_failed',
        what,
        url,
        reason,
        error: failure.reason,
        message: failure.message,
        ...(failure.status === undefined ? {} : { status: failure.status }),
        durationMs: Date.now() - started,
        keysKept: this.#keys !== undefined,
      });
      throw failure;
    }
  }

  // Whole-set replace. The version changes only when the document does.
  #install(text, kids, jwksUri, fetchedAt, ttlMs, from) {
    const previous = this.#keys;
    const changed = previous === undefined || previous.text !== text;
    const expiresAt = fetchedAt + ttlMs;
    this.#keys = {
      text,
      kids,
      jwksUri,
      fetchedAt,
      expiresAt,
      refreshAt: expiresAt - Math.min(ttlMs / 5, 60_000),
      staleUntil: expiresAt + this.#config.maxStaleMs,
      version: changed ? ++this.#versions : previous.version,
    };
    if (changed) {
      const before = new Set(previous?.kids ?? []);
      const after = new Set(kids);
      this.#emit({
        type: 'keys_rotated',
        url: jwksUri,
        from,
        kids: [...kids],
        added: kids.filter((kid) => !before.has(kid)),
        removed: (previous?.kids ?? []).filter((kid) => !after.has(kid)),
      });
    }
  }

  async #readStore() {
    const { store, clock } = this.#config;
    let text;
    try {
      text = await store.get(this.storeKey);
    } catch (error) {
      this.#emit({ type: 'store_failed', operation: 'get', error: String(error?.name ?? error) });
      return;
    }
    if (text === undefined || text === null) return;
    try {
      const record = JSON.parse(text);
      const fetchedAt = record?.fetchedAt;
      const expiresAt = record?.expiresAt;
      if (
        record?.format !== STORE_FORMAT ||
        typeof record.jwks !== 'string' ||
        typeof record.jwksUri !== 'string' ||
        !Number.isFinite(fetchedAt) ||
        !Number.isFinite(expiresAt) ||
        expiresAt < fetchedAt ||
        urlProblem(record.jwksUri) !== undefined ||
        (this.#config.jwksUri !== undefined && record.jwksUri !== this.#config.jwksUri)
      ) {
        throw new FetchFailure('not_jwks', 'not an entry of this key source');
      }
      // A fetch finished while the store answered: the fresher keys win.
      if (this.#keys !== undefined) return;
      if (clock() >= expiresAt + this.#config.maxStaleMs) return;
      const { kids } = judgeJwks(record.jwks, this.#config.lint);
      if (this.#config.discovery) this.#metadata = { jwksUri: record.jwksUri, expiresAt };
      this.#install(record.jwks, kids, record.jwksUri, fetchedAt, expiresAt - fetchedAt, 'store');
      this.#emit({ type: 'store_loaded', url: record.jwksUri, ageMs: clock() - fetchedAt });
    } catch (error) {
      this.#emit({ type: 'store_failed', operation: 'read', error: error instanceof FetchFailure ? error.reason : String(error?.name ?? error) });
    }
  }

  #writeStore(waitUntil) {
    const { store, clock } = this.#config;
    if (store === undefined) return;
    const keys = this.#keys;
    const value = JSON.stringify({
      format: STORE_FORMAT,
      issuer: this.#config.issuer,
      jwksUri: keys.jwksUri,
      jwks: keys.text,
      fetchedAt: keys.fetchedAt,
      expiresAt: keys.expiresAt,
    });
    const ttl = Math.max(1, Math.ceil((keys.staleUntil - clock()) / 1000));
    const failed = (error) => this.#emit({ type: 'store_failed', operation: 'put', error: String(error?.name ?? error) });
    let writing;
    try {
      writing = Promise.resolve(store.put(this.storeKey, value, ttl)).catch(failed);
    } catch (error) {
      failed(error);
      return;
    }
    this.#storeWrite = writing;
    writing.then(() => {
      if (this.#storeWrite === writing) this.#storeWrite = undefined;
    });
    pass(waitUntil, writing);
  }

  #emit(event) {
    const hook = this.#config.onEvent;
    if (hook === undefined) return;
    const issuer = this.#config.issuer;
    try {
      hook(issuer === undefined ? event : { ...event, issuer });
    } catch {
      // A logging hook must not change a verdict or break a fetch.
    }
  }
}

/** Hands background work to the host (`ctx.waitUntil` in Workers), which keeps it alive. */
function pass(waitUntil, promise) {
  if (waitUntil === undefined) return;
  try {
    waitUntil(promise);
  } catch {
    // A host that refuses (a request already finished) changes nothing here.
  }
}

export { KeySource };
