// The JavaScript API of jwtward, shared by every runtime entry (node.cjs, browser.js, workerd.js).
//
// Every verdict comes from the WebAssembly core; this layer only checks the JavaScript-side
// arguments (token type, `now`), turns the core's plain error objects into `JwtError`s and ties
// the lifetime of the wasm verifier to the JS object.
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
function rethrow(thrown, stackStart) {
  if (
    thrown !== null &&
    typeof thrown === 'object' &&
    !(thrown instanceof Error) &&
    typeof thrown.code === 'string'
  ) {
    throw makeError(thrown.code, thrown.message, thrown, stackStart);
  }
  throw thrown;
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
// that every verdict is reproducible from (token, now).
function nowOf(options, stackStart) {
  if (options === undefined) return Math.floor(Date.now() / 1000);
  if (options === null || typeof options !== 'object') {
    throw optionsError('options', 'must be an object like { now }', stackStart);
  }
  for (const key in options) {
    // A misspelt option must not be ignored silently. Own properties only, as for the
    // constructor's options: an enumerable property on a polluted Object.prototype is not one.
    if (key !== 'now' && Object.hasOwn(options, key)) {
      throw optionsError(key, 'unknown option', stackStart);
    }
  }
  const now = options.now;
  if (now === undefined) return Math.floor(Date.now() / 1000);
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw optionsError('now', 'must be a finite number of Unix seconds', stackStart);
  }
  return now;
}

function notAString(stackStart) {
  // A missing token (e.g. no Authorization header) is a bad token, not a programming error:
  // callers map every JwtError to a 401 the same way.
  return makeError('ERR_JWT_MALFORMED', 'the token is not a string', undefined, stackStart);
}

/**
 * Builds the public API around one set of wasm-bindgen exports.
 * @param {object} bindings the wasm-bindgen module: VerifierCore, decode, inspect, lintJwks
 * @param {{ assertReady?: () => void }} [hooks] assertReady throws when the module is not
 *   initialised yet (browser entry before `await ready()`)
 */
function createApi(bindings, hooks = {}) {
  const assertReady = hooks.assertReady ?? (() => {});

  class Verifier {
    #core;

    /** @param {import('../index.js').VerifierOptions} options */
    constructor(options) {
      assertReady();
      try {
        this.#core = new bindings.VerifierCore(options);
      } catch (thrown) {
        rethrow(thrown, Verifier);
      }
    }

    verify(token, options) {
      const core = this.#live(Verifier.prototype.verify);
      const now = nowOf(options, Verifier.prototype.verify);
      if (typeof token !== 'string') throw notAString(Verifier.prototype.verify);
      try {
        return core.verify(token, now);
      } catch (thrown) {
        return rethrow(thrown, Verifier.prototype.verify);
      }
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
      return this.#live(Verifier.prototype.cacheStats).cacheStats();
    }

    /** Releases the wasm memory now (otherwise the garbage collector does it). Idempotent. */
    free() {
      const core = this.#core;
      this.#core = undefined;
      if (core !== undefined) core.free();
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
