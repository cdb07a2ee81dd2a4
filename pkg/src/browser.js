// Browser entry (export conditions `browser` and `default`). Browsers must fetch and compile the
// .wasm asynchronously (synchronous compilation of a module this size is refused on the main
// thread), so `await ready()` once before using the API.
import initWasm, * as bindings from '../dist/web/jwtward.js';
import { JwtError, cacheApiStore, createApi, kvStore, memoryReplayStore, memoryStore } from './api.js';
import { webCryptoPlatform } from './platform-webcrypto.js';

let initialized = false;
let pending;

/**
 * Loads the WebAssembly module; resolves when the API is usable. Safe to call many times.
 * @param {WebAssembly.Module | BufferSource | Response | Promise<Response> | URL | string} [source]
 *   where to get the module; by default `dist/jwtward_bg.wasm` next to this package (bundlers
 *   such as Vite and webpack recognise the `new URL(..., import.meta.url)` form below and emit it).
 */
export function ready(source) {
  if (pending === undefined) {
    const moduleOrPath = source ?? new URL('../dist/jwtward_bg.wasm', import.meta.url);
    pending = initWasm({ module_or_path: moduleOrPath }).then(
      () => {
        initialized = true;
      },
      (error) => {
        // Let a later call retry (e.g. after a network failure).
        pending = undefined;
        throw error;
      },
    );
  }
  return pending;
}

function assertReady() {
  if (!initialized) {
    throw new Error("jwtward: call `await ready()` before using the API in a browser");
  }
}

// A browser's fetch: key sources let it follow redirects and refuse a document that ended on
// another origin (a `redirect: 'manual'` answer hides where it points), and bypass the HTTP
// cache (the key source is the cache).
export const { Verifier, RemoteJwks, decode, inspect, lintJwks } = createApi(bindings, {
  assertReady,
  platform: webCryptoPlatform,
  browserFetch: true,
});
export { JwtError, cacheApiStore, kvStore, memoryReplayStore, memoryStore };
