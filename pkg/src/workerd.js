// Cloudflare Workers entry (export condition `workerd`). Workers cannot compile WebAssembly from
// bytes at run time, so the .wasm is imported as a module (wrangler and the Workers runtime
// compile it at deploy/load time) and instantiated synchronously here: no init code for users.
import wasmModule from '../dist/jwtward_bg.wasm';
import * as bindings from '../dist/web/jwtward.js';
import { JwtError, cacheApiStore, createApi, kvStore, memoryReplayStore, memoryStore } from './api.js';
import { webCryptoPlatform } from './platform-webcrypto.js';

bindings.initSync({ module: wasmModule });

// Key sources keep their keys in the Cache API by default: isolates come and go all the time
// on Workers, and a fresh one starts with the keys of the last instead of a fetch.
export const { Verifier, RemoteJwks, decode, inspect, lintJwks } = createApi(bindings, {
  platform: webCryptoPlatform,
  defaultStore: () => cacheApiStore(),
});
export { JwtError, cacheApiStore, kvStore, memoryReplayStore, memoryStore };

/** Already initialised in Workers: resolves at once (for code shared with browsers). */
export function ready() {
  return Promise.resolve();
}
