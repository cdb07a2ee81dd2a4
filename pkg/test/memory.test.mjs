// Memory stays flat: 100,000 verifiers created and dropped (forgotten ones freed by the garbage
// collector through wasm-bindgen's FinalizationRegistry, the rest by free()), then 1,000,000
// verifications. Runs pkg/testkit/memory-soak.mjs in a child with --expose-gc.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const MiB = 1024 * 1024;

test('100,000 verifiers and 1,000,000 verifications with flat memory', { timeout: 180_000 }, (t) => {
  const soak = fileURLToPath(new URL('../testkit/memory-soak.mjs', import.meta.url));
  const output = execFileSync(process.execPath, ['--expose-gc', soak], {
    encoding: 'utf8',
    timeout: 170_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const r = JSON.parse(output.trim().split('\n').pop());
  t.diagnostic(
    `wasm memory: warm ${(r.warm.wasm / MiB).toFixed(2)} MiB, after ${r.verifiers} verifiers ` +
      `${(r.afterVerifiers.wasm / MiB).toFixed(2)} MiB, after ${r.tokens} verifications ` +
      `${(r.afterTokens.wasm / MiB).toFixed(2)} MiB`,
  );
  t.diagnostic(
    `heapUsed: warm ${(r.warm.heapUsed / MiB).toFixed(1)} MiB, after verifiers ` +
      `${(r.afterVerifiers.heapUsed / MiB).toFixed(1)} MiB, after verifications ` +
      `${(r.afterTokens.heapUsed / MiB).toFixed(1)} MiB`,
  );
  t.diagnostic(
    `time: ${r.verifiersMs} ms for the verifiers, ${r.tokensMs} ms for the verifications ` +
      `(cache ${JSON.stringify(r.cache)})`,
  );
  assert.equal(r.verifiers, 100_000);
  assert.equal(r.tokens, 1_000_000);
  assert.equal(r.verifiedByThrowAways, r.verifiers, 'every throw-away verifier did its work');
  assert.equal(r.ok + r.failed, r.tokens);
  assert.equal(r.failed, r.tokens / 10);
  assert.ok(r.cache.hits > 0 && r.cache.misses > 0 && r.cache.entries === 1000, JSON.stringify(r.cache));
  // Without the finalizers, 90,000 leaked verifiers (each with its keys, policy and a cache
  // entry) would add tens of MiB of wasm memory. Allow a little allocator slack, no growth.
  assert.ok(r.afterVerifiers.wasm - r.warm.wasm <= 2 * MiB, 'wasm memory flat over the verifiers');
  // The 1,000-entry cache fills during the second phase: bounded, whatever the number of tokens.
  assert.ok(r.afterTokens.wasm - r.warm.wasm <= 4 * MiB, 'wasm memory flat over the verifications');
  assert.ok(r.afterVerifiers.heapUsed - r.warm.heapUsed <= 16 * MiB, 'JS heap flat over the verifiers');
  assert.ok(r.afterTokens.heapUsed - r.warm.heapUsed <= 16 * MiB, 'JS heap flat over the verifications');
});
