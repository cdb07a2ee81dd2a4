// Memory soak, run by pkg/test/memory.test.mjs in a child process with --expose-gc:
//   phase "verifiers": creates and drops 100,000 verifiers (each verifies one token, so each has
//     a cache entry); 90% are simply forgotten (the FinalizationRegistry must free them), 10%
//     are freed with free();
//   phase "tokens": one verifier verifies 1,000,000 tokens (HS256, cache on, a pool larger than
//     the cache so entries are evicted all the time, 10% failing tokens).
// Prints one JSON line with wasm memory and heapUsed after a warm-up and after each phase.
import { createRequire } from 'node:module';

import { Verifier } from 'jwtward';
import { NOW, hs256Fixture } from './keys.mjs';

const require = createRequire(import.meta.url);
// The same module instance as the package's Node entry (same resolved file), for the memory probe.
const bindings = require('../dist/node/jwtward.js');

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const VERIFIERS = Number(process.env.SOAK_VERIFIERS ?? 100_000);
const TOKENS = Number(process.env.SOAK_TOKENS ?? 1_000_000);
const BATCH = 1000;

const fx = hs256Fixture('soak');
const token = fx.token({ iss: 'https://issuer.example/', sub: 'soak', exp: NOW + 3600 });

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Collects garbage and lets FinalizationRegistry callbacks (queued tasks) run. */
async function settle() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await tick();
  }
}

async function snapshot() {
  await settle();
  return { wasm: bindings.wasmMemoryBytes(), heapUsed: process.memoryUsage().heapUsed };
}

async function makeAndDrop(count) {
  let verified = 0;
  for (let done = 0; done < count; done += BATCH) {
    for (let i = 0; i < BATCH; i++) {
      const verifier = new Verifier({ jwks: fx.jwks, issuer: 'https://issuer.example/' });
      // A success, so that the verifier also holds a cache entry.
      if (verifier.verify(token, { now: NOW }).payload.sub === 'soak') verified++;
      if (i % 10 === 0) verifier.free();
    }
    // Between batches, as between requests of a server: the GC runs and finalizers get a turn.
    globalThis.gc();
    await tick();
  }
  return verified;
}

const started = Date.now();
const result = { verifiers: VERIFIERS, tokens: TOKENS };

await makeAndDrop(10 * BATCH);
result.warm = await snapshot();

const t0 = Date.now();
result.verifiedByThrowAways = await makeAndDrop(VERIFIERS);
result.verifiersMs = Date.now() - t0;
result.afterVerifiers = await snapshot();

// 1,200 distinct tokens against a 1,000-entry cache: hits, misses and evictions all the time.
const pool = Array.from({ length: 1200 }, (_, i) => fx.token({ sub: `user-${i}`, exp: NOW + 3600 }));
const bad = fx.token({ sub: 'x', exp: NOW - 1 });
const verifier = new Verifier({ jwks: fx.jwks });
let ok = 0;
let failed = 0;
const t1 = Date.now();
let state = 12345;
for (let i = 0; i < TOKENS; i++) {
  // xorshift: a cheap, reproducible pseudo-random pick.
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  const pick = (state >>> 0) % 1200;
  try {
    verifier.verify(i % 10 === 9 ? bad : pool[pick], { now: NOW });
    ok++;
  } catch (error) {
    if (error.code !== 'ERR_JWT_EXPIRED') throw error;
    failed++;
  }
  if (i % 100_000 === 99_999) await tick();
}
result.tokensMs = Date.now() - t1;
result.ok = ok;
result.failed = failed;
result.cache = verifier.cacheStats();
result.afterTokens = await snapshot();
result.totalMs = Date.now() - started;
console.log(JSON.stringify(result));
