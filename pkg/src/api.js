// The JavaScript API of jwtward, shared by every runtime entry (node.cjs, browser.js, workerd.js).
//
// Every verdict comes from the WebAssembly core; this layer only checks the JavaScript-side
// arguments (token type, `now`), turns the core's plain error objects into `JwtError`s, ties
// the lifetime of the wasm verifier to the JS object, attaches the runtime's signature crypto
// (the core decides which checks it may do, see src/alg/mod.rs `SignatureBackend`) and keeps
// the verified-token cache, which answers only inside the time window the core computed.
//
// This file is ES module source. The build writes a CommonJS copy (dist/node/api.cjs) for Node,
// where `require` and `import` must share one instance: keep the single `export { ... }` line
// at the end, which is the only thing the build rewrites.

/**
 * Every failure of jwtward: a rejected token (`ERR_JWT_*`, with `claim` when a claim is at fault)
 * or a caller mistake at construction (`ERR_OPTIONS_INVALID` / `ERR_JWKS_INVALID`, with `field`).
 * Match on `code`, never on `message`.
 */
class JwtError extends Error {
  constructor(code, message, details) {
    super(message);
    this.code = code;
    if (details !== undefined && details !== null) {
      if (details.claim !== undefined) this.claim = details.claim;
      if (details.field !== undefined) this.field = details.field;
    }
  }
}
// On the prototype (not an own property) so that `err.name` reads 'JwtError' in stack traces and
// util.inspect without adding an enumerable field to every instance.
Object.defineProperty(JwtError.prototype, 'name', {
  value: 'JwtError',
  writable: true,
  configurable: true,
});

// The wasm side throws `{ code, message, claim?, field? }` objects (see src/wasm/). Anything else
// (a wasm trap, an out-of-memory RangeError) is a real fault and goes through unchanged.
function asError(thrown, stackStart) {
  if (
    thrown !== null &&
    typeof thrown === 'object' &&
    !(thrown instanceof Error) &&
    typeof thrown.code === 'string'
  ) {
    return makeError(thrown.code, thrown.message, thrown, stackStart);
  }
  return thrown;
}

function rethrow(thrown, stackStart) {
  throw asError(thrown, stackStart);
}

function makeError(code, message, details, stackStart) {
  const error = new JwtError(code, message, details);
  // Start the stack at the API call the user made, not inside this module.
  if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(error, stackStart);
  return error;
}

function optionsError(field, message, stackStart) {
  return makeError(
    'ERR_OPTIONS_INVALID',
    `invalid option \`${field}\`: ${message}`,
    { field },
    stackStart,
  );
}

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
    if (key !== 'now') throw optionsError(key, 'unknown option', stackStart);
  }
  const now = Object.hasOwn(options, 'now') ? options.now : undefined;
  if (now === undefined) return Math.floor(Date.now() / 1000);
  if (typeof now !== 'number' || !Number.isFinite(now) || Math.abs(now) > Number.MAX_SAFE_INTEGER) {
    throw optionsError('now', 'must be a finite number of Unix seconds', stackStart);
  }
  return now;
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
 * The verified-token cache: token digest -> { result, from, until }, LRU-bounded. It answers
 * only when `now` is inside the window the core computed for the token's time claims (exp, nbf,
 * iat, maximum age): outside it, the core verifies again and gives the verdict. It keeps a
 * pristine copy of each result and hands out copies of it, so every result is a fresh object (a
 * caller changing one changes nothing for the next). Keyed by a SHA-256 digest, so it holds no
 * bearer token. Failures are never cached.
 */
class ResultCache {
  constructor(maxEntries, digest) {
    this.maxEntries = maxEntries;
    this.digest = digest;
    this.entries = new Map();
    this.hits = 0;
    this.misses = 0;
  }

  /** A copy of the cached result for `key` at `now`, or undefined (the core must verify). */
  lookup(key, now) {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses += 1;
      return undefined;
    }
    const second = Math.floor(now);
    if (second >= entry.from && second < entry.until) {
      this.hits += 1;
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return copyOf(entry.result);
    }
    // Outside the window the core gives the verdict: a miss, whatever it says.
    this.misses += 1;
    // Expired for good: drop it (a not-yet-valid entry may become valid, so it stays).
    if (second >= entry.until) this.entries.delete(key);
    return undefined;
  }

  /** Keeps `result` itself (the caller hands out a copy) under `key`. */
  store(key, result, from, until) {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      this.entries.delete(this.entries.keys().next().value);
    }
    this.entries.set(key, { result, from, until });
  }

  stats() {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, maxEntries: this.maxEntries };
  }
}

/**
 * Builds the public API around one set of wasm-bindgen exports.
 * @param {object} bindings the wasm-bindgen module: VerifierCore, decode, inspect, lintJwks,
 *   tokenDigest
 * @param {{
 *   assertReady?: () => void,
 *   platform?: (keys: { index: number, jwk: object }[]) => { sync?: object, async?: object },
 *   digest?: (token: string) => string,
 * }} [hooks] assertReady throws when the module is not initialised yet (browser entry before
 *   `await ready()`); platform builds the runtime's signature arithmetic for a verifier's public
 *   keys (pkg/src/platform-*.js); digest is the cache key of a token (default: the core's
 *   SHA-256)
 */
function createApi(bindings, hooks = {}) {
  const assertReady = hooks.assertReady ?? (() => {});
  const digest = hooks.digest ?? ((token) => bindings.tokenDigest(token));

  class Verifier {
    #core;
    #cache;
    #asyncPlatform;
    #maxTokenLength;
    // verifyAsync calls waiting for the platform, and the core free() retired meanwhile.
    #inFlight = 0;
    #retired;
    // Verifications while the cache is off: cacheStats() reports them as misses.
    #uncachedCalls = 0;

    /** @param {import('../index.js').VerifierOptions} options */
    constructor(options) {
      assertReady();
      let core;
      try {
        core = new bindings.VerifierCore(options);
      } catch (thrown) {
        rethrow(thrown, Verifier);
      }
      this.#core = core;
      if (core.acceptsPlatform && hooks.platform !== undefined) {
        const keys = core.publicKeys();
        if (keys.length > 0) {
          const platform = hooks.platform(keys);
          core.setPlatform(platform.sync, platform.async);
          this.#asyncPlatform = platform.async;
        }
      }
      if (core.cacheEntries > 0) this.#cache = new ResultCache(core.cacheEntries, digest);
      this.#maxTokenLength = core.maxTokenLength;
    }

    verify(token, options) {
      const core = this.#live(Verifier.prototype.verify);
      const now = nowOf(options, Verifier.prototype.verify);
      if (typeof token !== 'string') throw notAString(Verifier.prototype.verify);
      const key = this.#cacheKey(token);
      if (key !== undefined) {
        const hit = this.#cache.lookup(key, now);
        if (hit !== undefined) return hit;
      }
      return this.#verifyWith(core, token, now, key, Verifier.prototype.verify);
    }

    /**
     * The verdict of `verify`, with the runtime's asynchronous crypto (WebCrypto in Workers and
     * browsers) doing the signature arithmetic where it can; in Node, `verify`'s own result.
     */
    verifyAsync(token, options) {
      let core;
      let now;
      let key;
      try {
        core = this.#live(Verifier.prototype.verifyAsync);
        now = nowOf(options, Verifier.prototype.verifyAsync);
        if (typeof token !== 'string') throw notAString(Verifier.prototype.verifyAsync);
        key = this.#cacheKey(token);
        if (key !== undefined) {
          const hit = this.#cache.lookup(key, now);
          if (hit !== undefined) return Promise.resolve(hit);
        }
        if (this.#asyncPlatform === undefined || token.length > this.#maxTokenLength) {
          // Nothing to wait for: no asynchronous platform (Node's is synchronous), or a token
          // too long to be valid, which the core refuses at once.
          return Promise.resolve(this.#verifyWith(core, token, now, key, Verifier.prototype.verifyAsync));
        }
      } catch (error) {
        return Promise.reject(error);
      }
      let text;
      try {
        text = core.verifyDeferredText(utf8(token), now);
      } catch (thrown) {
        this.#asyncPlatform.take();
        return Promise.reject(asError(thrown, Verifier.prototype.verifyAsync));
      }
      const pending = this.#asyncPlatform.take();
      const from = core.validFrom;
      const until = core.validUntil;
      const cache = key === undefined ? undefined : this.#cache;
      if (pending === undefined) {
        // Decided without waiting (HMAC, a key the platform leaves to the core, ...).
        const result = JSON.parse(text);
        if (cache === undefined) return Promise.resolve(result);
        cache.store(key, result, from, until);
        return Promise.resolve(copyOf(result));
      }
      const value = JSON.parse(text);
      // free() during the wait must not pull the core from under the fallback below.
      this.#inFlight += 1;
      // `pending` never rejects (the platform turns failures into `undefined`).
      return pending.then((verifies) => {
        try {
          if (verifies === undefined) {
            // The platform could not check (a key or algorithm it lacks): the core does.
            return this.#verifyWith(core, token, now, key, Verifier.prototype.verifyAsync);
          }
          const failure = verifies ? value.ifValidError : value.ifInvalid;
          if (failure !== undefined) throw makeError(failure.code, failure.message, failure, undefined);
          if (cache === undefined) return value.ifValid;
          cache.store(key, value.ifValid, from, until);
          return copyOf(value.ifValid);
        } finally {
          this.#inFlight -= 1;
          if (this.#inFlight === 0 && this.#retired !== undefined) {
            this.#retired.free();
            this.#retired = undefined;
          }
        }
      });
    }

    explain(token, options) {
      const core = this.#live(Verifier.prototype.explain);
      const now = nowOf(options, Verifier.prototype.explain);
      // A non-string is reported like an empty token: malformed, at the first check.
      const text = typeof token === 'string' ? token : '';
      try {
        return core.explain(text, now);
      } catch (thrown) {
        return rethrow(thrown, Verifier.prototype.explain);
      }
    }

    cacheStats() {
      this.#live(Verifier.prototype.cacheStats);
      return this.#cache?.stats() ?? { hits: 0, misses: this.#uncachedCalls, entries: 0, maxEntries: 0 };
    }

    /**
     * Releases the wasm memory (otherwise the garbage collector does it): now, or when the
     * `verifyAsync` calls in flight have settled. Idempotent; the Verifier is unusable after it.
     */
    free() {
      const core = this.#core;
      this.#core = undefined;
      this.#cache = undefined;
      if (core === undefined) return;
      if (this.#inFlight === 0) core.free();
      else this.#retired = core;
    }

    // The cache key of `token`, or undefined when there is no cache or the token is too long
    // to be valid anyway (not worth hashing: the core refuses it at once).
    #cacheKey(token) {
      if (this.#cache === undefined) {
        this.#uncachedCalls += 1;
        return undefined;
      }
      if (token.length > this.#maxTokenLength) return undefined;
      return this.#cache.digest(token);
    }

    // A full verification by the core; a valid result is cached under `key`.
    #verifyWith(core, token, now, key, stackStart) {
      if (token.length > this.#maxTokenLength) {
        // Too long to be valid: sent as a string, the core refuses it at once.
        try {
          return core.verify(token, now);
        } catch (thrown) {
          return rethrow(thrown, stackStart);
        }
      }
      let text;
      try {
        text = core.verifyText(utf8(token), now);
      } catch (thrown) {
        return rethrow(thrown, stackStart);
      }
      const result = JSON.parse(text);
      const cache = this.#cache;
      if (key === undefined || cache === undefined) return result;
      cache.store(key, result, core.validFrom, core.validUntil);
      return copyOf(result);
    }

    #live(stackStart) {
      if (this.#core === undefined) {
        const error = new Error('jwtward: this Verifier was freed');
        if (typeof Error.captureStackTrace === 'function') {
          Error.captureStackTrace(error, stackStart);
        }
        throw error;
      }
      return this.#core;
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

  function decode(token) {
    assertReady();
    if (typeof token !== 'string') throw notAString(decode);
    try {
      return bindings.decode(token);
    } catch (thrown) {
      return rethrow(thrown, decode);
    }
  }

  function inspect(token) {
    assertReady();
    if (typeof token !== 'string') throw notAString(inspect);
    try {
      return bindings.inspect(token);
    } catch (thrown) {
      return rethrow(thrown, inspect);
    }
  }

  function lintJwks(jwks) {
    assertReady();
    try {
      return bindings.lintJwks(jwks);
    } catch (thrown) {
      return rethrow(thrown, lintJwks);
    }
  }

  return { Verifier, decode, inspect, lintJwks };
}

export { JwtError, createApi };
