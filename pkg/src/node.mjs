// Node entry, ES module: re-exports the CommonJS entry so that `import` and `require` share one
// wasm instance and one JwtError class (an error thrown through either passes `instanceof`).
import api from './node.cjs';

export const { Verifier, RemoteJwks, JwtError, decode, inspect, lintJwks, ready, memoryStore, cacheApiStore, kvStore, memoryReplayStore } = api;
