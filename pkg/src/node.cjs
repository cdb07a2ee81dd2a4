// Node entry, CommonJS: the one instance that both `require('jwtward')` and
// `import ... from 'jwtward'` (node.mjs re-exports this file) use. The wasm module is compiled
// and instantiated synchronously when this file loads, so there is no init call.
'use strict';

const bindings = require('../dist/node/jwtward.js');
const { JwtError, createApi, memoryStore, cacheApiStore, kvStore, memoryReplayStore } = require('../dist/node/api.cjs');
const { nodePlatform, digest } = require('./platform-node.cjs');

// Key sources keep keys in this process's memory unless given a `store` (one memory store shared
// by every source, the default of createApi).
const { Verifier, RemoteJwks, decode, inspect, lintJwks } = createApi(bindings, {
  platform: nodePlatform,
  digest,
});

/** Already initialised in Node: resolves at once (for code shared with browsers). */
function ready() {
  return Promise.resolve();
}

module.exports = {
  Verifier,
  RemoteJwks,
  JwtError,
  decode,
  inspect,
  lintJwks,
  ready,
  memoryStore,
  memoryReplayStore,
  cacheApiStore,
  kvStore,
};
