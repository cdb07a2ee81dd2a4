// `RemoteJwks`, the public handle of a key source (keys/source.js), and the options of a key
// source: validated here once, whether they are given to `new RemoteJwks(...)` or to a
// `Verifier` with `jwksUri`, `discovery` or `issuers`.
//
// ES module source with the restricted syntax of errors.js (the build writes a CommonJS copy).

import { optionsError } from '../errors.js';
import { issuerProblem } from './discovery.js';
import { urlProblem } from './fetch.js';
import { KeySource } from './source.js';

/** Options that tune how a key source fetches and caches (the same on RemoteJwks and Verifier). */
const TUNING_OPTIONS = ['cooldown', 'timeout', 'minTtl', 'maxTtl', 'defaultTtl', 'maxStale', 'fetch', 'store', 'onEvent', 'clock', 'waitUntil'];

/** Seconds: defaults and the accepted range of each duration option. */
const DURATIONS = {
  cooldown: { fallback: 30, min: 0, max: 86_400 },
  timeout: { fallback: 5, min: 0, max: 300 },
  minTtl: { fallback: 60, min: 0, max: 365 * 86_400 },
  maxTtl: { fallback: 86_400, min: 0, max: 365 * 86_400 },
  defaultTtl: { fallback: 600, min: 0, max: 365 * 86_400 },
  maxStale: { fallback: 7 * 86_400, min: 0, max: 365 * 86_400, zero: true },
};

// RemoteJwks -> its KeySource. A WeakMap, so the source is reachable only through the handle
// the user holds, and only from this package.
const sources = new WeakMap();

/** The KeySource behind a RemoteJwks, or undefined for any other value. */
function keySourceOf(value) {
  return value !== null && typeof value === 'object' ? sources.get(value) : undefined;
}

/**
 * The own enumerable members of `object` that are set (not undefined), in a null-prototype
 * object: nothing is read through the prototype, so a polluted Object.prototype adds nothing.
 */
function setMembers(object) {
  const values = Object.create(null);
  for (const name of Object.keys(object)) {
    if (object[name] !== undefined) values[name] = object[name];
  }
  return values;
}

/** `setMembers` of an options object whose names are all in `allowed` (else ERR_OPTIONS_INVALID). */
function ownOptions(options, allowed, what, stackStart) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw optionsError(what, 'must be an object', stackStart);
  }
  const values = setMembers(options);
  for (const name of Object.keys(values)) {
    if (!allowed.includes(name)) throw optionsError(name, 'unknown option', stackStart);
  }
  return values;
}

/** `waitUntil` of `ready({ waitUntil })`, verify and verifyAsync: a function, or undefined. */
function waitUntilOf(value, stackStart) {
  if (value === undefined || typeof value === 'function') return value;
  throw optionsError('waitUntil', 'must be a function, like (promise) => ctx.waitUntil(promise)', stackStart);
}

/**
 * A KeySource from option values: `issuer`, `jwksUri` or `discovery`, and TUNING_OPTIONS.
 * @param {object} given option values (own ones are read)
 * @param {(name: string) => string} field the name under which the caller reports an option
 * @param {{ lint: Function, defaultStore: () => object | undefined, browserFetch: boolean }} runtime
 */
function createKeySource(given, field, runtime, stackStart) {
  const fail = (name, message) => {
    throw optionsError(field(name), message, stackStart);
  };
  // Own values only, whatever object they came in.
  const values = setMembers(given);
  const { issuer, jwksUri } = values;
  const discovery = values.discovery ?? false;
  if (typeof discovery !== 'boolean') fail('discovery', 'must be true or false');
  if (discovery) {
    if (jwksUri !== undefined) fail('jwksUri', 'either `jwksUri` or `discovery: true`, not both');
    if (typeof issuer !== 'string') fail('issuer', 'discovery needs the issuer, one URL string');
    const problem = issuerProblem(issuer);
    if (problem !== undefined) fail('issuer', problem);
  } else {
    if (jwksUri === undefined) fail('jwksUri', 'is required (or `discovery: true` with `issuer`)');
    const problem = urlProblem(jwksUri);
    if (problem !== undefined) fail('jwksUri', problem);
  }
  const seconds = {};
  for (const [name, { fallback, min, max, zero }] of Object.entries(DURATIONS)) {
    const value = values[name] ?? fallback;
    const ok = typeof value === 'number' && Number.isFinite(value) && value <= max && (value > min || (zero && value === min));
    if (!ok) fail(name, `must be a number of seconds, ${zero ? 'at least' : 'more than'} ${min} and at most ${max}`);
    seconds[name] = value;
  }
  if (seconds.minTtl > seconds.maxTtl) fail('minTtl', 'must not exceed `maxTtl`');
  for (const name of ['fetch', 'onEvent', 'clock', 'waitUntil']) {
    if (values[name] !== undefined && typeof values[name] !== 'function') fail(name, 'must be a function');
  }
  let store = values.store;
  if (store === null) {
    store = undefined;
  } else if (store === undefined) {
    store = runtime.defaultStore();
  } else if (typeof store !== 'object' || typeof store.get !== 'function' || typeof store.put !== 'function') {
    fail('store', 'must be an object with get(key) and put(key, value, ttl) methods, or null');
  }
  const fetchImpl = values.fetch;
  return new KeySource({
    issuer: typeof issuer === 'string' ? issuer : undefined,
    jwksUri: discovery ? undefined : jwksUri,
    discovery,
    // The store key names the issuer(s) too: keys are scoped to (issuer, JWK Set URL).
    scope: JSON.stringify(issuer ?? null),
    cooldownMs: seconds.cooldown * 1000,
    timeoutMs: seconds.timeout * 1000,
    minTtlMs: seconds.minTtl * 1000,
    maxTtlMs: seconds.maxTtl * 1000,
    defaultTtlMs: seconds.defaultTtl * 1000,
    maxStaleMs: seconds.maxStale * 1000,
    // Called as a plain function: a browser's fetch throws when called as a method of another object.
    fetch: fetchImpl === undefined ? (url, init) => globalThis.fetch(url, init) : (url, init) => fetchImpl(url, init),
    store,
    onEvent: values.onEvent,
    waitUntil: values.waitUntil,
    clock: values.clock ?? Date.now,
    browserFetch: runtime.browserFetch,
    lint: runtime.lint,
  });
}

/**
 * The RemoteJwks class of one runtime entry.
 * @param {{ lint: Function, assertReady: () => void, defaultStore: () => object | undefined, browserFetch: boolean }} runtime
 */
function remoteJwksClass(runtime) {
  /**
   * The JWK Set of an issuer, fetched and cached: give it to several Verifiers as `jwks` and
   * they share its keys, its fetches and its cooldown.
   */
  class RemoteJwks {
    /** @param {import('../../index.js').RemoteJwksOptions} options */
    constructor(options) {
      const values = ownOptions(options, ['issuer', 'jwksUri', 'discovery', ...TUNING_OPTIONS], 'options', RemoteJwks);
      if (values.issuer !== undefined && typeof values.issuer !== 'string') {
        throw optionsError('issuer', 'must be one issuer, a string', RemoteJwks);
      }
      sources.set(this, createKeySource(values, (name) => name, runtime, RemoteJwks));
    }

    /** The issuer these keys belong to (set with discovery, or given with `jwksUri`). */
    get issuer() {
      return sources.get(this).issuer;
    }

    /**
     * Loads the keys (from the store or the issuer), and waits for them to be in the store;
     * rejects with ERR_JWKS_UNAVAILABLE.
     */
    ready(options) {
      try {
        runtime.assertReady();
        const { waitUntil } = ownOptions(options ?? {}, ['waitUntil'], 'options', RemoteJwks.prototype.ready);
        const source = sources.get(this);
        return source
          .load(waitUntilOf(waitUntil, RemoteJwks.prototype.ready), RemoteJwks.prototype.ready)
          .then(() => source.storeWritten());
      } catch (error) {
        return Promise.reject(error);
      }
    }

    /** What the source holds now: `{ issuer, jwksUri, loaded, stale, kids, fetchedAt, expiresAt, lastError }`. */
    status() {
      return sources.get(this).status();
    }
  }
  return RemoteJwks;
}

export { TUNING_OPTIONS, createKeySource, keySourceOf, ownOptions, remoteJwksClass, setMembers, waitUntilOf };
