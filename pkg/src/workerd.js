// Cloudflare Workers entry (export condition `workerd`). Workers cannot compile WebAssembly from
// bytes at run time, so the .wasm is imported as a module (wrangler and the Workers runtime
// compile it at deploy/load time) and instantiated synchronously here: no init code for users.
import wasmModule from '../dist/jwtward_bg.wasm';
import * as bindings from '../dist/web/jwtward.js';
import { JwtError, createApi } from './api.js';
import { webCryptoPlatform } from './platform-webcrypto.js';

bindings.initSync({ module: wasmModule });

export const { Verifier, decode, inspect, lintJwks } = createApi(bindings, {
  platform: webCryptoPlatform,
});
export { JwtError };

/** Already initialised in Workers: resolves at once (for code shared with browsers). */
export function ready() {
  return Promise.resolve();
}
