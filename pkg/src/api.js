// The JavaScript API of jwtward, shared by every runtime entry (node.cjs, browser.js, workerd.js).
//
// Every verdict comes from the WebAssembly core; this layer only checks the JavaScript-side
// arguments (token type, `now`), turns the core's plain error objects into `JwtError`s, ties
// the lifetime of the wasm verifiers to the JS object, attaches the runtime's signature crypto
// (the core decides which checks it may do, see src/alg/mod.rs `SignatureBackend`), keeps
// the verified-token cache, which answers only inside the time window the core computed, and
// connects a Verifier to its key sources (keys/): a core verifier per route and key set, built
// when the keys change, before the old one is freed. For sender-constrained tokens it hands the
// core how the request presented the token (binding.js) and keeps the DPoP replay store.
//
// ES module source with the restricted syntax of errors.js: the build writes a CommonJS copy
// (dist/node/api.cjs, and dist/node/keys/*.cjs) for Node, where `require` and `import` must
// share one instance.

import { memoryReplayStore, presentationOf, replayStoreOf, replayVerdict } from './binding.js';
import { JwtError, asError, makeError, optionsError, rethrow } from './errors.js';
import { ownOptions, remoteJwksClass, waitUntilOf } from './keys/remote.js';
import { planKeys } from './keys/routes.js';
import { cacheApiStore, kvStore, memoryStore } from './keys/stores.js';

// `now` of verify/explain: Unix seconds. The default clock is read here, never in the core, so
// that every verdict is reproducible from (token, now). Checked completely here, with the core's
// own rule, because the verified-token cache may answer before the core sees `now`.
function nowOf(options, stackStart) {
  if (options === undefined) return Math.floor(Date.now() / 1000);
  if (options === null || typeof options !== 'object') {
    throw optionsError('options', 'must be an object like { now }', stackStart);
  }
  // A misspelt option must not be ignored silently. Own properties only, as for the
  // constructor's options: an enumerable property on a polluted Object.prototype is not one,
  // and neither is a `now` inherited from it.
  for (const key of Object.keys(options)) {
    if (key === 'waitUntil') waitUntilOf(options.waitUntil, stackStart);
    // How the request presented the token: checked by presentationOf (binding.js).
    else if (key !== 'now' && key !== 'dpop' && key !== 'clientCertificate' && key !== 'scheme') {
      throw optionsError(key, 'unknown option', stackStart);
    }
  }
  const now = Object.hasOwn(options, 'now') ? options.now : undefined;
  if (now === undefined) return Math.floor(Date.now() / 1000);
  if (typeof now !== 'number' || !Number.isFinite(now) || Math.abs(now) > Number.MAX_SAFE_INTEGER) {
    throw optionsError('now', 'must be a finite number of Unix seconds', stackStart);
  }
  return now;
}

/** `waitUntil` of verify options (checked by nowOf), read as an own property. */
function waitUntilIn(options) {
  return options !== undefined && Object.hasOwn(options, 'waitUntil') ? options.waitUntil : undefined;
}

function notAString(stackStart) {
  // A missing token (e.g. no Authorization header) is a bad token, not a programming error:
  // callers map every JwtError to a 401 the same way.
  return makeError('ERR_JWT_MALFORMED', 'the token is not a string', undefined, stackStart);
}

// The token's UTF-8 bytes for the core, written into one reused buffer: `encodeInto` is native,
// while wasm-bindgen's own string hand-over walks the string character by character in JS.
// Only tokens within maxTokenLength come here, so the buffer stays small.
const encoder = new TextEncoder();
let scratch = new Uint8Array(4096);
function utf8(token) {
  const most = token.length * 3;
  if (scratch.length < most) scratch = new Uint8Array(Math.max(most, scratch.length * 2));
  return scratch.subarray(0, encoder.encodeInto(token, scratch).written);
}

// decode's limit (the core's DEFAULT_MAX_TOKEN_LEN): a longer string is refused by its length
// alone, and is encoded on its own rather than growing the shared buffer.
const DECODE_MAX_LENGTH = 64 * 1024;

/** The core's decoding of `token` (a string): `{ header, payload }`, or it throws. */
function decodeWith(bindings, token) {
  const bytes = token.length > DECODE_MAX_LENGTH ? encoder.encode(token) : utf8(token);
  return JSON.parse(bindings.decodeToken(bytes));
}

/**
 * A deep copy of a parsed JSON value (only plain objects, arrays and primitives): ~3x cheaper
 * than parsing its text again. `__proto__` is copied as the own property JSON.parse made it,
 * never as an assignment to the copy's prototype.
 */
function copyOf(value) {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyOf);
  const copy = {};
  // Own keys only: `for...in` would also copy an enumerable property of a polluted
  // Object.prototype into the copy, and a cache hit would differ from a miss.
  for (const key of Object.keys(value)) {
    if (key === '__proto__') {
      Object.defineProperty(copy, key, { value: copyOf(value[key]), enumerable: true, writable: true, configurable: true });
    } else {
      copy[key] = copyOf(value[key]);
    }
  }
  return copy;
}

/**
 * The verified-token cache: token digest -> { result, from, until, engine }, LRU-bounded. It
 * answers only when `now` is inside the window the core computed for the token's time claims
 * (exp, nbf, iat, maximum age), and only while the core verifier that verified the token is the
 * current one for its keys: outside either, the core verifies again and gives the verdict (a
 * key the issuer removed stops verifying at once). It keeps a pristine copy of each result and
 * hands out copies of it, so every result is a fresh object (a caller changing one changes
 * nothing for the next). Keyed by a SHA-256 digest, so it holds no bearer token. Failures are
 * never cached.
 */
class ResultCache {
  constructor(maxEntries, digest) {
    this.maxEntries = maxEntries;
    this.digest = digest;
    this.entries = new Map();
    this.hits = 0;
    this.misses = 0;
  }

  /**
   * A copy of the cached result for `key` at `now`, or undefined (the core must verify).
   * `options` and `mayWait` are the call's, for a result verified with remote keys (see
   * Engine.current).
   */
  lookup(key, now, options, mayWait) {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses += 1;
      return undefined;
    }
    const second = Math.floor(now);
    if (second >= entry.from && second < entry.until && entry.engine.current(options, mayWait)) {
      this.hits += 1;
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return copyOf(entry.result);
    }
    // Outside the window, or verified with keys that are not the ones to use now: the core
    // gives the verdict (and a valid result replaces this entry).
    this.misses += 1;
    // Expired for good, or verified with keys since replaced: drop it (a not-yet-valid entry
    // may become valid, so it stays).
    if (second >= entry.until || !entry.engine.live) this.entries.delete(key);
    return undefined;
  }

  /**
   * Keeps `result` itself (the caller hands out a copy) under `key`; a result with an empty
   * window (one that depended on the request's DPoP proof or certificate) is never kept.
   */
  store(key, result, from, until, engine) {
    if (!(until > from)) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      this.entries.delete(this.entries.keys().next().value);
    }
    this.entries.set(key, { result, from, until, engine });
  }

  stats() {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, maxEntries: this.maxEntries };
  }
}

/**
 * A core verifier for one key set (of one route), with the runtime's signature arithmetic for
 * its keys. Retired when its keys are replaced: freed at once, or when the verifyAsync calls
 * waiting on it have settled.
 */
class Engine {
  constructor(core, asyncPlatform, source, version) {
    this.core = core;
    // Read now: the core may be freed (keys rotated) while a verification still needs it.
    this.dpopIatWindow = core.dpopIatWindow;
    this.asyncPlatform = asyncPlatform;
    this.source = source;
    this.version = version;
    this.live = true;
    this.inFlight = 0;
    this.retired = false;
  }

  /**
   * Whether a result this engine verified may answer a call now: its keys are the ones the call
   * would use. For remote keys that also starts a background refresh when they are near expiry
   * (a cache hit is a call like any other), and it is not so when they are past their TTL and
   * the call can wait for fresh ones (verifyAsync while the issuer answers).
   */
  current(options, mayWait) {
    if (!this.live) return false;
    if (this.source === undefined) return true;
    return this.source.usable(waitUntilIn(options), mayWait)?.version === this.version;
  }

  enter() {
    this.inFlight += 1;
  }

  leave() {
    this.inFlight -= 1;
    if (this.inFlight === 0 && this.retired) {
      this.retired = false;
      this.core.free();
    }
  }

  retire() {
    if (!this.live) return;
    this.live = false;
    if (this.inFlight === 0) this.core.free();
    else this.retired = true;
  }
}

// A JWK Set with no key: the core verifier of a route before its keys arrive. It checks the
// options at construction, and gives every verdict that does not depend on keys (size,
// structure, header, algorithm: the checks before a key is chosen) without fetching anything.
const NO_KEYS = '{"keys":[]}';

/**
 * Builds the public API around one set of wasm-bindgen exports.
 * @param {object} bindings the wasm-bindgen module: VerifierCore, decodeToken, inspect, lintJwks,
 *   tokenDigest
 * @param {{
 *   assertReady?: () => void,
 *   platform?: (keys: { index: number, jwk: object }[]) => { sync?: object, async?: object },
 *   digest?: (token: string) => string,
 *   defaultStore?: () => object | undefined,
 *   browserFetch?: boolean,
 * }} [hooks] assertReady throws when the module is not initialised yet (browser entry before
 *   `await ready()`); platform builds the runtime's signature arithmetic for a verifier's public
 *   keys (pkg/src/platform-*.js); digest is the cache key of a token (default: the core's
 *   SHA-256); defaultStore is where key sources keep keys when not told (default: one memory
 *   store for the runtime); browserFetch: the runtime's fetch is a browser's (redirects are
 *   followed by it and checked after, its HTTP cache bypassed: keys/fetch.js)
 */
function createApi(bindings, hooks = {}) {
  const assertReady = hooks.assertReady ?? (() => {});
  // The token's bytes as the core takes them (encodeInto: wasm-bindgen's string hand-over walks
  // the string per character). Only tokens within maxTokenLength are hashed (see #cacheKey).
  const digest = hooks.digest ?? ((token) => bindings.tokenDigest(utf8(token)));
  let sharedStore;
  const keyRuntime = {
    lint: (jwks) => bindings.lintJwks(jwks),
    assertReady,
    defaultStore: hooks.defaultStore ?? (() => (sharedStore ??= memoryStore())),
    browserFetch: hooks.browserFetch ?? false,
  };
  const RemoteJwks = remoteJwksClass(keyRuntime);

  // A core verifier; a construction error names the option as the user gave it.
  function newCore(options, field, stackStart) {
    try {
      return new bindings.VerifierCore(options);
    } catch (thrown) {
      const error = asError(thrown, stackStart);
      if (error instanceof JwtError && error.field !== undefined && field(error.field) !== error.field) {
        const named = field(error.field);
        error.message = error.message.replace(`\`${error.field}\``, `\`${named}\``);
        error.field = named;
      }
      throw error;
    }
  }

  function newEngine(core, source, version) {
    let asyncPlatform;
    // Also without public keys in the set: a DPoP proof's key goes to the platform too.
    if (core.acceptsPlatform && hooks.platform !== undefined) {
      const platform = hooks.platform(core.publicKeys());
      core.setPlatform(platform.sync, platform.async);
      asyncPlatform = platform.async;
    }
    return new Engine(core, asyncPlatform, source, version);
  }

  // The core's answer to verify, as JSON text (too long tokens go as a string: refused at once).
  // `presentation`: the JSON text of binding.js's presentationOf, or undefined.
  function coreVerify(core, token, now, maxTokenLength, presentation) {
    return token.length > maxTokenLength
      ? core.verify(token, now, presentation)
      : core.verifyText(utf8(token), now, presentation);
  }

  class Verifier {
    // Routes: [{ issuer?, policy?, source?, field?, engine?, keyless?, refused? }]; one for an
    // inline JWK Set or one key source, one per issuer with `issuers` (then #byIssuer picks).
    #routes;
    #byIssuer;
    #cache;
    #maxTokenLength;
    // Verifications while the cache is off: cacheStats() reports them as misses.
    #uncachedCalls = 0;
    // The DPoP replay store: `dpopReplayStore`, or a memory store made on the first proof.
    #replayStore;

    /** @param {import('../index.js').VerifierOptions} options */
    constructor(options) {
      assertReady();
      // `dpopReplayStore` is this layer's; every other option is the core's (or the key
      // sources'), which refuse names they do not know.
      if (options !== null && typeof options === 'object' && Object.hasOwn(options, 'dpopReplayStore')) {
        this.#replayStore = replayStoreOf(options.dpopReplayStore, Verifier);
        const rest = {};
        for (const name of Object.keys(options)) if (name !== 'dpopReplayStore') rest[name] = options[name];
        options = rest;
      }
      const plan = planKeys(options, keyRuntime, Verifier);
      if (plan === undefined) {
        // One inline JWK Set: the options go to the core untouched.
        let core;
        try {
          core = new bindings.VerifierCore(options);
        } catch (thrown) {
          rethrow(thrown, Verifier);
        }
        this.#routes = [{ engine: newEngine(core, undefined, 0) }];
        this.#settle(core);
        return;
      }
      const built = [];
      try {
        for (const route of plan.routes) {
          if (route.jwks !== undefined) {
            route.engine = newEngine(newCore({ ...route.policy, jwks: route.jwks }, route.field, Verifier), undefined, 0);
            built.push(route.engine.core);
          }
          // Every route that fetches keys, and every route of `issuers` (explain answers with it
          // for a token no route accepts).
          if (route.source !== undefined || plan.byIssuer !== undefined) {
            route.keyless = newCore({ ...route.policy, jwks: NO_KEYS }, route.field, Verifier);
            built.push(route.keyless);
          }
        }
      } catch (error) {
        for (const core of built) core.free();
        throw error;
      }
      this.#routes = plan.routes;
      this.#byIssuer = plan.byIssuer;
      this.#settle(plan.routes[0].engine?.core ?? plan.routes[0].keyless);
    }

    // Cache and size limit: top-level options, the same in every core verifier of this Verifier.
    #settle(core) {
      if (core.cacheEntries > 0) this.#cache = new ResultCache(core.cacheEntries, digest);
      this.#maxTokenLength = core.maxTokenLength;
    }

    verify(token, options) {
      const stackStart = Verifier.prototype.verify;
      this.#live(stackStart);
      const now = nowOf(options, stackStart);
      if (typeof token !== 'string') throw notAString(stackStart);
      const presentation = presentationOf(options, stackStart);
      const key = this.#cacheKey(token, presentation);
      if (key !== undefined) {
        const hit = this.#cache.lookup(key, now, options, false);
        if (hit !== undefined) return hit;
      }
      const route = this.#routeOf(token, stackStart);
      const { source } = route;
      if (source === undefined) {
        return this.#replayChecked(this.#verifyWith(route.engine, token, now, key, presentation, stackStart), now, route.engine, false, stackStart);
      }
      // Remote keys: never wait. Without keys, a key-independent verdict or ERR_JWKS_UNAVAILABLE
      // while they load; an unknown kid starts a refetch (cooldown permitting) for the next call.
      const waitUntil = waitUntilIn(options);
      const engine = this.#current(route, waitUntil, false);
      if (engine === undefined) {
        this.#keylessVerdict(route, token, now, stackStart);
        source.loadInBackground(waitUntil);
        throw source.unavailable(stackStart);
      }
      let result;
      try {
        result = this.#verifyWith(engine, token, now, key, presentation, stackStart);
      } catch (error) {
        if (error?.code === 'ERR_JWT_KEY_NOT_FOUND') source.kidMissInBackground(waitUntil);
        throw error;
      }
      return this.#replayChecked(result, now, engine, false, stackStart);
    }

    /**
     * The verdict of `verify`, with the runtime's asynchronous crypto (WebCrypto in Workers and
     * browsers) doing the signature arithmetic where it can; in Node, `verify`'s own result.
     * With remote keys, waits for them when it must: none yet, expired while the issuer
     * answers, or an unknown kid the key source may refetch (once per cooldown).
     */
    verifyAsync(token, options) {
      const stackStart = Verifier.prototype.verifyAsync;
      let route;
      let now;
      let key;
      let engine;
      let waitUntil;
      let presentation;
      try {
        this.#live(stackStart);
        now = nowOf(options, stackStart);
        if (typeof token !== 'string') throw notAString(stackStart);
        presentation = presentationOf(options, stackStart);
        key = this.#cacheKey(token, presentation);
        if (key !== undefined) {
          const hit = this.#cache.lookup(key, now, options, true);
          if (hit !== undefined) return Promise.resolve(hit);
        }
        route = this.#routeOf(token, stackStart);
        if (route.source === undefined) return this.#verifyAsyncWith(route.engine, token, now, key, presentation, stackStart);
        waitUntil = waitUntilIn(options);
        engine = this.#current(route, waitUntil, true);
        // No keys to use yet: a token refused whatever the keys never causes a fetch.
        if (engine === undefined) this.#keylessVerdict(route, token, now, stackStart);
      } catch (error) {
        return Promise.reject(error);
      }
      const fetched = (using) => this.#verifyAsyncFetched(route, using, token, now, key, presentation, waitUntil, stackStart);
      if (engine !== undefined) return fetched(engine);
      return route.source.load(waitUntil, stackStart).then(() => {
        this.#live(stackStart);
        const loaded = this.#current(route, waitUntil, false);
        if (loaded === undefined) throw route.source.unavailable(stackStart);
        return fetched(loaded);
      });
    }

    explain(token, options) {
      const stackStart = Verifier.prototype.explain;
      this.#live(stackStart);
      const now = nowOf(options, stackStart);
      const presentation = presentationOf(options, stackStart)?.json;
      // A non-string is reported like an empty token: malformed, at the first check.
      const text = typeof token === 'string' ? token : '';
      let route;
      try {
        route = this.#routeOf(text, stackStart);
      } catch (error) {
        if (!(error instanceof JwtError)) throw error;
        return this.#explainUnrouted(error, text, now, stackStart);
      }
      let core = route.engine?.core;
      if (route.source !== undefined) {
        const waitUntil = waitUntilIn(options);
        const engine = this.#current(route, waitUntil, false);
        if (engine === undefined) {
          const report = explainWith(route.keyless, text, now, presentation, stackStart);
          if (report.valid || report.code !== 'ERR_JWT_KEY_NOT_FOUND') return report;
          route.source.loadInBackground(waitUntil);
          throw route.source.unavailable(stackStart);
        }
        core = engine.core;
      }
      return explainWith(core, text, now, presentation, stackStart);
    }

    /**
     * Loads the keys of every key source of this Verifier (at once for inline keys), and waits
     * for them to be in the store; then sync `verify` works. Rejects with ERR_JWKS_UNAVAILABLE
     * when a source has none to give.
     */
    ready(options) {
      const stackStart = Verifier.prototype.ready;
      try {
        this.#live(stackStart);
        const { waitUntil } = ownOptions(options ?? {}, ['waitUntil'], 'options', stackStart);
        waitUntilOf(waitUntil, stackStart);
        const loading = this.#routes
          .filter((route) => route.source !== undefined)
          .map((route) =>
            route.source.load(waitUntil, stackStart).then(() => {
              this.#live(stackStart);
              this.#current(route, waitUntil, false);
              return route.source.storeWritten();
            }),
          );
        return Promise.all(loading).then(() => undefined);
      } catch (error) {
        return Promise.reject(error);
      }
    }

    cacheStats() {
      this.#live(Verifier.prototype.cacheStats);
      return this.#cache?.stats() ?? { hits: 0, misses: this.#uncachedCalls, entries: 0, maxEntries: 0 };
    }

    /**
     * Releases the wasm memory (otherwise the garbage collector does it): now, or when the
     * `verifyAsync` calls in flight have settled. Idempotent; the Verifier is unusable after it.
     * A RemoteJwks given as `jwks` is not affected (other Verifiers may share it).
     */
    free() {
      const routes = this.#routes;
      this.#routes = undefined;
      this.#cache = undefined;
      if (routes === undefined) return;
      for (const route of routes) {
        route.engine?.retire();
        route.keyless?.free();
      }
    }

    // The route of `token`: the only one, or with `issuers` the one its unverified `iss` names.
    // That choice is routing only: the route's core verifier checks `iss` again, with the
    // route's keys. A token naming no configured issuer is refused here, with no key and no
    // network touched; one that does not decode gets the core's decoding verdict.
    #routeOf(token, stackStart) {
      if (this.#byIssuer === undefined) return this.#routes[0];
      let decoded;
      try {
        decoded = decodeWith(bindings, token);
      } catch (thrown) {
        rethrow(thrown, stackStart);
      }
      const iss = Object.hasOwn(decoded.payload, 'iss') ? decoded.payload.iss : undefined;
      const route = typeof iss === 'string' ? this.#byIssuer.get(iss) : undefined;
      if (route === undefined) {
        throw makeError(
          'ERR_JWT_BAD_ISSUER',
          iss === undefined ? 'the token has no `iss`: it names none of the accepted issuers' : '`iss` is not one of the accepted issuers',
          { claim: 'iss' },
          stackStart,
        );
      }
      return route;
    }

    // The engine for the route's current keys, built (then swapped in, the old one retired)
    // when they changed; undefined when there are none to use now.
    #current(route, waitUntil, mayWait) {
      const keys = route.source.usable(waitUntil, mayWait);
      if (keys === undefined) return undefined;
      const engine = route.engine;
      if (engine !== undefined && engine.version === keys.version) return engine;
      // The source judged the set with the core already; should the core still refuse to build
      // a verifier from it with this policy, the keys in use keep serving.
      if (route.refused === keys.version) return engine;
      let core;
      try {
        core = new bindings.VerifierCore({ ...route.policy, jwks: keys.text });
      } catch {
        route.refused = keys.version;
        return engine;
      }
      const next = newEngine(core, route.source, keys.version);
      route.engine = next;
      engine?.retire();
      return next;
    }

    // Throws the core's verdict on `token` when it does not depend on keys (size, structure,
    // header, algorithm), as the route's keyless verifier finds it; returns when keys decide.
    #keylessVerdict(route, token, now, stackStart) {
      try {
        coreVerify(route.keyless, token, now, this.#maxTokenLength);
      } catch (thrown) {
        const error = asError(thrown, stackStart);
        if (error?.code !== 'ERR_JWT_KEY_NOT_FOUND') throw error;
      }
    }

    // `explain` of a token no route takes: the core's own report when it does not decode, or is
    // refused before any key matters; else the routing refusal, at the key check.
    #explainUnrouted(error, text, now, stackStart) {
      const report = explainWith(this.#routes[0].keyless, text, now, undefined, stackStart);
      if (error.code !== 'ERR_JWT_BAD_ISSUER' || report.valid || report.code !== 'ERR_JWT_KEY_NOT_FOUND') return report;
      for (const check of report.checks) {
        if (check.id === 'key') {
          check.detail = `${error.message}: no key is chosen for it`;
        }
      }
      report.code = error.code;
      report.message = error.message;
      report.claim = error.claim;
      return report;
    }

    // Verification with remote keys: an unknown kid may refetch (the source decides whether
    // and when), and if the keys changed the token is verified again with the new ones.
    #verifyAsyncFetched(route, engine, token, now, key, presentation, waitUntil, stackStart) {
      return this.#verifyAsyncWith(engine, token, now, key, presentation, stackStart).then(undefined, (error) => {
        if (error?.code !== 'ERR_JWT_KEY_NOT_FOUND') throw error;
        return route.source.kidMiss(waitUntil).then((changed) => {
          if (!changed || this.#routes === undefined) throw error;
          const next = this.#current(route, waitUntil, false);
          if (next === undefined || next === engine) throw error;
          return this.#verifyAsyncWith(next, token, now, key, presentation, stackStart);
        });
      });
    }

    // verifyAsync with one engine (the pending WebCrypto checks, or at once), the DPoP replay
    // check included: one promise per call.
    #verifyAsyncWith(engine, token, now, key, presentation, stackStart) {
      if (engine.asyncPlatform === undefined || token.length > this.#maxTokenLength) {
        // Nothing to wait for: no asynchronous platform (Node's is synchronous), or a token
        // too long to be valid, which the core refuses at once.
        try {
          return Promise.resolve(this.#replayChecked(this.#verifyWith(engine, token, now, key, presentation, stackStart), now, engine, true, stackStart));
        } catch (error) {
          return Promise.reject(error);
        }
      }
      const { core } = engine;
      const platform = engine.asyncPlatform;
      let text;
      try {
        text = core.verifyDeferredText(utf8(token), now, presentation?.json);
      } catch (thrown) {
        platform.take();
        return Promise.reject(asError(thrown, stackStart));
      }
      const pending = platform.take();
      const cache = key === undefined ? undefined : this.#cache;
      // The time window is read only for the cache (two calls into the module).
      const from = cache === undefined ? undefined : core.validFrom;
      const until = cache === undefined ? undefined : core.validUntil;
      const value = JSON.parse(text);
      const settle = (result) => {
        if (cache === undefined) return result;
        cache.store(key, result, from, until, engine);
        return copyOf(result);
      };
      // The core's verdict on the platform's answers (all true: `value`, decided with the rest).
      const verdict = (answers) => {
        if (answers.every((verifies) => verifies === true)) {
          const failure = value.ifValidError;
          if (failure !== undefined) throw makeError(failure.code, failure.message, failure, undefined);
          return settle(value.ifValid);
        }
        // A signature that does not verify, or that the runtime could not check (the core then
        // does the arithmetic): the core gives the verdict on these answers, a rare second call.
        platform.answer(answers);
        let again;
        try {
          again = core.verifyDeferredText(utf8(token), now, presentation?.json);
        } catch (thrown) {
          throw asError(thrown, stackStart);
        } finally {
          platform.answer(undefined);
          platform.take();
        }
        return settle(JSON.parse(again));
      };
      if (pending === undefined) {
        // Decided without waiting (HMAC, a key the platform leaves to the core, ...).
        try {
          return Promise.resolve(this.#replayChecked(settle(value), now, engine, true, stackStart));
        } catch (error) {
          return Promise.reject(error);
        }
      }
      // free() or a key rotation during the wait must not pull the core from under the second
      // call above.
      engine.enter();
      const done = (answers) => {
        try {
          return this.#replayChecked(verdict(answers), now, engine, true, stackStart);
        } finally {
          engine.leave();
        }
      };
      // One answer (a token without DPoP): WebCrypto's own promise, no wrapper. A rejection means
      // WebCrypto could not check: the core does.
      if (pending.length === 1) return pending[0].then((verifies) => done([verifies]), () => done([undefined]));
      return Promise.all(pending.map((answer) => answer.then(undefined, () => undefined))).then(done);
    }

    // The cache key of `token`, or undefined when there is no cache, the token is too long to
    // be valid anyway (not worth hashing: the core refuses it at once), or the call presents a
    // DPoP proof (a verdict the cache, keyed by the token alone, cannot give).
    #cacheKey(token, presentation) {
      if (this.#cache === undefined || (presentation !== undefined && !presentation.cacheable)) {
        this.#uncachedCalls += 1;
        return undefined;
      }
      if (token.length > this.#maxTokenLength) return undefined;
      return this.#cache.digest(token);
    }

    // A result the core accepted with a DPoP proof, once the replay store says the proof is new
    // (a promise with an asynchronous store, which only verifyAsync, `mayWait`, takes).
    #replayChecked(result, now, engine, mayWait, stackStart) {
      if (result.dpop === undefined) return result;
      this.#replayStore ??= memoryReplayStore();
      const verdict = replayVerdict(this.#replayStore, result, engine.dpopIatWindow, now, stackStart);
      if (verdict === undefined) return result;
      if (verdict instanceof JwtError) throw verdict;
      if (!mayWait) {
        throw new TypeError('jwtward: dpopReplayStore.record answered with a promise; use verifyAsync with an asynchronous store');
      }
      return verdict.then((error) => {
        if (error !== undefined) throw error;
        return result;
      });
    }

    // A full verification by the core; a valid result is cached under `key`.
    #verifyWith(engine, token, now, key, presentation, stackStart) {
      let text;
      try {
        text = coreVerify(engine.core, token, now, this.#maxTokenLength, presentation?.json);
      } catch (thrown) {
        return rethrow(thrown, stackStart);
      }
      // The string path returns the result object itself.
      const result = typeof text === 'string' ? JSON.parse(text) : text;
      // A cache that went (free() while verifyAsync waited) keeps nothing.
      const cache = this.#cache;
      if (key === undefined || cache === undefined) return result;
      cache.store(key, result, engine.core.validFrom, engine.core.validUntil, engine);
      return copyOf(result);
    }

    #live(stackStart) {
      if (this.#routes === undefined) {
        const error = new Error('jwtward: this Verifier was freed');
        if (typeof Error.captureStackTrace === 'function') {
          Error.captureStackTrace(error, stackStart);
        }
        throw error;
      }
    }
  }

  // `using verifier = new Verifier(...)` frees at the end of the block where supported.
  if (typeof Symbol.dispose === 'symbol') {
    Object.defineProperty(Verifier.prototype, Symbol.dispose, {
      value: Verifier.prototype.free,
      writable: true,
      configurable: true,
    });
  }

  function explainWith(core, text, now, presentation, stackStart) {
    try {
      return core.explain(text, now, presentation);
    } catch (thrown) {
      return rethrow(thrown, stackStart);
    }
  }

  function decode(token) {
    assertReady();
    if (typeof token !== 'string') throw notAString(decode);
    try {
      return decodeWith(bindings, token);
    } catch (thrown) {
      return rethrow(thrown, decode);
    }
  }

  function inspect(token, options) {
    assertReady();
    if (typeof token !== 'string') throw notAString(inspect);
    try {
      // options: { scopeClaims } (which claims grant scopes), checked by the core.
      return bindings.inspect(token, options);
    } catch (thrown) {
      return rethrow(thrown, inspect);
    }
  }

  function lintJwks(jwks) {
    assertReady();
    if (typeof jwks === 'string' && /^\s*https?:\/\//i.test(jwks)) {
      throw makeError('ERR_JWKS_INVALID', 'a URL is not a JWK Set; fetch it first, or give a Verifier `jwksUri`', { field: 'jwks' }, lintJwks);
    }
    try {
      return bindings.lintJwks(jwks);
    } catch (thrown) {
      return rethrow(thrown, lintJwks);
    }
  }

  return { Verifier, RemoteJwks, decode, inspect, lintJwks };
}

export { JwtError, cacheApiStore, createApi, kvStore, memoryReplayStore, memoryStore };
