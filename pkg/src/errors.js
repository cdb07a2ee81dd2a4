// JwtError and the helpers that make one: shared by the API (api.js) and the key sources
// (keys/), so that every runtime entry has one JwtError class.
//
// ES module source with one restriction, because the build writes a CommonJS copy of it for
// Node (scripts/build.mjs `toCommonJs`): imports are `import { a, b } from './x.js';` lines and
// the only export is the `export { ... };` line at the end.

/**
 * Every failure of jwtward: a rejected token (`ERR_JWT_*`, with `claim` when a claim is at fault),
 * a caller mistake at construction (`ERR_OPTIONS_INVALID` / `ERR_JWKS_INVALID`, with `field`), or
 * no keys to verify with (`ERR_JWKS_UNAVAILABLE`, with `retryAfter`: not a verdict on the token).
 * Match on `code`, never on `message`.
 */
class JwtError extends Error {
  constructor(code, message, details) {
    super(message);
    this.code = code;
    if (details !== undefined && details !== null) {
      if (details.claim !== undefined) this.claim = details.claim;
      if (details.field !== undefined) this.field = details.field;
      if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
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

/**
 * No keys to verify with: the issuer could not be reached (or only sent documents that were
 * refused) and no earlier keys may serve. Not a verdict on the token: a server answers 503.
 * @param {number} retryAfter seconds until the key source tries the issuer again
 */
function unavailableError(message, retryAfter, stackStart) {
  return makeError('ERR_JWKS_UNAVAILABLE', message, { retryAfter }, stackStart);
}

export { JwtError, asError, makeError, optionsError, rethrow, unavailableError };
