// The JWKS cache in real workerd against a test issuer that counts its fetches: rotation, the unknown-kid
// cooldown, single flight, the issuer down, bad responses, TTL refresh (background and blocking), the
// Cache API across isolates, and a cold start with no issuer.

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { ttlFromHeaders } from '../../pkg/src/keys/fetch.js';
import { bearer, closeAll, scratchDir, sleep, startIssuer, startWorker, testPolicy, waitFor } from '../testkit/harness.mjs';

after(closeAll);

const status = async (worker, token, path = '/x') => {
  const response = await worker.request(path, { headers: bearer(token) });
  const body = await response.json();
  return { status: response.status, code: body.code };
};

/**
 * The key source's events a Worker logged since `since` (an index into worker.logs()): jwtward's
 * RemoteJwks events as audit lines, `jwks_fetch_started`, `jwks_fetch_finished`, `jwks_fetch_failed`,
 * `jwks_keys_rotated`, `jwks_kid_miss_refused`, `jwks_store_loaded`, `jwks_store_failed`.
 */
const jwksEvents = (worker, since = 0) => worker.logs().slice(since).filter((l) => l.event?.startsWith('jwks_'));

async function withWorker(issuer, policyOverrides, fn, options = {}) {
  const worker = await startWorker({ policy: testPolicy(issuer, policyOverrides), ...options });
  try {
    return await fn(worker);
  } finally {
    await worker.dispose();
  }
}

test('TTL from Cache-Control: max-age minus Age, clamped; no-store and no-cache are the minimum', { timeout: 120_000 }, () => {
  const limits = { minTtlMs: 60_000, maxTtlMs: 86_400_000, defaultTtlMs: 600_000 };
  const ttl = (headers) => ttlFromHeaders(new Headers(headers), limits);
  assert.equal(ttl({}), 600_000);
  assert.equal(ttl({ 'cache-control': 'public, max-age=3600' }), 3_600_000);
  assert.equal(ttl({ 'cache-control': 'max-age=3600', age: '600' }), 3_000_000);
  assert.equal(ttl({ 'cache-control': 'max-age=5' }), 60_000);
  assert.equal(ttl({ 'cache-control': 'max-age=9999999' }), 86_400_000);
  assert.equal(ttl({ 'cache-control': 'no-store' }), 60_000);
  assert.equal(ttl({ 'cache-control': 'no-cache, max-age=3600' }), 60_000);
  assert.equal(ttl({ 'cache-control': 'max-age=oops' }), 600_000);
  assert.equal(ttl({ 'cache-control': 'MAX-AGE="120"' }), 120_000);
});

describe('rotation and the unknown-kid cooldown (default 30 s)', { timeout: 120_000 }, () => {
  test('the first request with the new kid causes one refetch and passes; a flood of random kids adds none', async () => {
    const issuer = await startIssuer();
    const k1 = await issuer.addKey('k1');
    issuer.publish(k1);
    await withWorker(issuer, {}, async (worker) => {
      assert.deepEqual(await status(worker, await issuer.sign({ }, { kid: k1 })), { status: 200, code: undefined });
      assert.equal(issuer.fetches, 1);
      assert.equal((await status(worker, await issuer.sign({}, { kid: k1 }))).status, 200);
      assert.equal(issuer.fetches, 1, 'keys are cached');

      // The issuer rotates: k2 is the only key now.
      const k2 = await issuer.addKey('k2');
      issuer.publish(k2);
      const since = worker.logs().length;
      assert.deepEqual(await status(worker, await issuer.sign({}, { kid: k2 })), { status: 200, code: undefined });
      assert.equal(issuer.fetches, 2, 'exactly one refetch');
      await waitFor(() => worker.logs().slice(since).some((l) => l.event === 'request'));
      const request = worker.logs().slice(since).find((l) => l.event === 'request');
      assert.equal(request.kid, 'k2');
      // The refetch was for the unknown kid, and the set it brought replaced the old one whole.
      assert.ok(jwksEvents(worker, since).some((e) => e.event === 'jwks_fetch_started' && e.reason === 'unknown_kid'));
      const rotated = jwksEvents(worker, since).find((e) => e.event === 'jwks_keys_rotated');
      assert.deepEqual([rotated.added, rotated.removed], [['k2'], ['k1']]);
      for (let i = 0; i < 5; i++) assert.equal((await status(worker, await issuer.sign({}, { kid: k2 }))).status, 200);
      assert.equal(issuer.fetches, 2);

      // k1 was removed from the set: its tokens now fail.
      assert.deepEqual(await status(worker, await issuer.sign({}, { kid: k1 })), { status: 401, code: 'ERR_JWT_KEY_NOT_FOUND' });

      // A flood of tokens with made-up kids, sequential and concurrent: the cooldown holds every refetch.
      const stranger = await startIssuer();
      const kids = await Promise.all(Array.from({ length: 40 }, (_, i) => stranger.addKey(`random-${i}`)));
      const tokens = await Promise.all(kids.map((kid) => stranger.sign({}, { kid })));
      for (const t of tokens.slice(0, 10)) assert.equal((await status(worker, t)).code, 'ERR_JWT_KEY_NOT_FOUND');
      const results = await Promise.all(tokens.slice(10).map((t) => status(worker, t)));
      assert.ok(results.every((r) => r.status === 401 && r.code === 'ERR_JWT_KEY_NOT_FOUND'));
      assert.equal(issuer.fetches, 2, 'no fetch during the cooldown');
    });
  });
});

describe('cooldown and single flight (cooldown 2 s)', { timeout: 120_000 }, () => {
  test('at most one fetch per cooldown; concurrent requests share one fetch', async () => {
    const issuer = await startIssuer();
    issuer.publish(await issuer.addKey('k1'));
    const stranger = await startIssuer();
    await withWorker(issuer, { jwksCache: { cooldown: 2 } }, async (worker) => {
      const randomKidTokens = async (n) => Promise.all(Array.from({ length: n }, async () => stranger.sign({}, { kid: await stranger.addKey() })));
      // Cold start, slow issuer, 20 requests at once: one fetch, shared by all.
      issuer.delayMs = 300;
      const first = await issuer.sign();
      let results = await Promise.all(Array.from({ length: 20 }, () => status(worker, first)));
      assert.deepEqual(results.map((r) => r.status), Array(20).fill(200));
      assert.equal(issuer.fetches, 1, 'one fetch for 20 concurrent requests on a cold isolate');
      issuer.delayMs = 0;

      // First flood: the first unknown kid triggers one refetch, all the others wait for it or are
      // inside the cooldown.
      await sleep(2100); // the cold fetch does not count against the unknown-kid cooldown, but be plain about it
      results = await Promise.all((await randomKidTokens(30)).map((t) => status(worker, t)));
      assert.ok(results.every((r) => r.code === 'ERR_JWT_KEY_NOT_FOUND'));
      assert.equal(issuer.fetches, 2);
      results = await Promise.all((await randomKidTokens(30)).map((t) => status(worker, t)));
      assert.ok(results.every((r) => r.code === 'ERR_JWT_KEY_NOT_FOUND'));
      assert.equal(issuer.fetches, 2, 'still inside the cooldown');

      // After the cooldown: one more.
      await sleep(2100);
      results = await Promise.all((await randomKidTokens(30)).map((t) => status(worker, t)));
      assert.ok(results.every((r) => r.code === 'ERR_JWT_KEY_NOT_FOUND'));
      assert.equal(issuer.fetches, 3);

      // Single flight: a slow issuer, a new kid, 25 concurrent requests: one fetch, all pass.
      await sleep(2100);
      const k2 = await issuer.addKey('k2');
      issuer.publish('k1', k2);
      issuer.delayMs = 400;
      const token = await issuer.sign({}, { kid: k2 });
      results = await Promise.all(Array.from({ length: 25 }, () => status(worker, token)));
      assert.deepEqual(results.map((r) => r.status), Array(25).fill(200));
      assert.equal(issuer.fetches, 4, 'one fetch for 25 concurrent requests');
    });
  });
});

describe('the issuer down, and bad responses', { timeout: 120_000 }, () => {
  test('cached keys keep working while the issuer is down, past their TTL', async () => {
    const issuer = await startIssuer({ cacheControl: 'max-age=1' });
    issuer.publish(await issuer.addKey('k1'));
    const token = await issuer.sign({}, { expiresIn: 600 });
    const unknownKid = await issuer.sign({}, { kid: await issuer.addKey('unpublished') });
    await withWorker(issuer, { jwksCache: { minTtl: 1, cooldown: 1 } }, async (worker) => {
    assert.equal((await status(worker, token)).status, 200);
    assert.equal(issuer.fetches, 1);
    const since = worker.logs().length;
    await issuer.close(); // connection refused from now on
    await sleep(1200); // past the 1 s TTL
    for (let i = 0; i < 5; i++) assert.equal((await status(worker, token)).status, 200, 'stale keys serve');
    // An unknown kid while the issuer is down: a clean 401, not a 5xx.
    assert.deepEqual(await status(worker, unknownKid), { status: 401, code: 'ERR_JWT_KEY_NOT_FOUND' });
    await waitFor(() => jwksEvents(worker, since).some((e) => e.event === 'jwks_fetch_failed' && e.error === 'network'));
    const failed = jwksEvents(worker, since).find((e) => e.event === 'jwks_fetch_failed' && e.error === 'network');
    assert.equal(failed.keysKept, true);
    // Still serving after the retry interval (the retry happens in the background).
    await sleep(1100);
    assert.equal((await status(worker, token)).status, 200);
    });
  });

  test('a bad JWKS response never replaces a good one', async () => {
    const issuer = await startIssuer({ cacheControl: 'max-age=1' });
    issuer.publish(await issuer.addKey('k1'));
    const token = await issuer.sign({}, { expiresIn: 600 });
    await withWorker(issuer, { jwksCache: { minTtl: 1, cooldown: 1 } }, async (worker) => {
      assert.equal((await status(worker, token)).status, 200);
      // Each refusal, logged with its reason (jwtward's FetchFailure reasons).
      for (const [mode, outcome] of [['status500', 'status'], ['html', 'not_json'], ['empty', 'not_jwks'], ['unusable', 'no_usable_key'], ['reset', 'network']]) {
        issuer.mode = mode;
        const fetchesBefore = issuer.fetches;
        const since = worker.logs().length;
        await sleep(1100); // past the TTL and the retry interval
        assert.equal((await status(worker, token)).status, 200, `${mode}: the good keys still serve`);
        assert.ok(await waitFor(() => issuer.fetches > fetchesBefore), `${mode}: the Worker tried to refresh`);
        assert.ok(await waitFor(() => jwksEvents(worker, since).some((e) => e.event === 'jwks_fetch_failed' && e.error === outcome)), `${mode}: logged as ${outcome}: ${JSON.stringify(jwksEvents(worker, since))}`);
        assert.equal((await status(worker, token)).status, 200, `${mode}: and still do after the bad response`);
        // The issuer answers well again before the next kind of bad response: failed refreshes are
        // retried with a growing backoff (1 s, 2 s, 4 s, ...), which one good answer resets.
        issuer.mode = 'ok';
        const recovered = worker.logs().length;
        await sleep(1100);
        assert.ok(await waitFor(async () => {
          await status(worker, token);
          return jwksEvents(worker, recovered).some((e) => e.event === 'jwks_fetch_finished');
        }, 5000, 200), `${mode}: the issuer's good answer is taken again`);
      }
      // The issuer recovers with a rotated key: it is picked up.
      issuer.mode = 'ok';
      const k2 = await issuer.addKey('k2');
      issuer.publish(k2);
      await sleep(1100);
      const fresh = await issuer.sign({}, { kid: k2 });
      assert.ok(await waitFor(async () => (await status(worker, fresh)).status === 200, 5000, 200), 'the recovered issuer\'s new key is used');
    });
  });

  test('no keys at all and the issuer down: 503 with Retry-After, then recovery', async () => {
    // A port nothing listens on: reserve one, then close it.
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    const issuer = await startIssuer();
    issuer.publish(await issuer.addKey('k1'));
    const token = await issuer.sign();
    const policy = { ...testPolicy(issuer), jwksUri: `http://127.0.0.1:${port}/jwks.json`, jwksCache: { cooldown: 1 } };
    const worker = await startWorker({ policy });
    try {
      const response = await worker.request('/x', { headers: bearer(token) });
      assert.equal(response.status, 503);
      // When jwtward tries the issuer again: the retry interval, min(cooldown, 5 s) = 1 s here.
      assert.equal(response.headers.get('retry-after'), '1');
      assert.equal((await response.json()).code, 'ERR_JWKS_UNAVAILABLE');
      // Requests without a token are still answered 401 without touching the keys.
      assert.equal((await worker.request('/x')).status, 401);

      // The issuer comes up on that port: after the retry interval (min(cooldown, 5 s) = 1 s) the keys come.
      const late = createHttpServer(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(await (await fetch(issuer.jwksUri)).text());
      });
      late.listen(port, '127.0.0.1');
      await once(late, 'listening');
      try {
        await sleep(1100);
        assert.deepEqual(await status(worker, token), { status: 200, code: undefined });
      } finally {
        late.closeAllConnections();
        await new Promise((resolve) => late.close(resolve));
      }
    } finally {
      await worker.dispose();
      await issuer.close();
    }
  });
});

describe('TTL', { timeout: 120_000 }, () => {
  test('near expiry the refresh runs in the background; after expiry a removed key stops working', async () => {
    const issuer = await startIssuer({ cacheControl: 'max-age=3' });
    issuer.publish(await issuer.addKey('k1'));
    const token = await issuer.sign({}, { expiresIn: 600 });
    await withWorker(issuer, { jwksCache: { minTtl: 1, cooldown: 30 } }, async (worker) => {
      assert.equal((await status(worker, token)).status, 200);
      const fetchedAt = Date.now();
      assert.equal(issuer.fetches, 1);
      // Refresh window: the last fifth of 3 s, i.e. from 2.4 s. A slow issuer must not slow the request.
      await sleep(2550 - (Date.now() - fetchedAt));
      issuer.delayMs = 1500;
      const started = Date.now();
      assert.equal((await status(worker, token)).status, 200);
      assert.ok(Date.now() - started < 1000, `served at once (${Date.now() - started} ms), not after the refresh`);
      assert.ok(await waitFor(() => issuer.fetches === 2, 3000), 'a background refresh ran');
      await sleep(1600); // let the slow response land
      issuer.delayMs = 0;

      // The issuer drops k1. Once the TTL has passed, the next request waits for fresh keys, and k1 is gone
      // (within the unknown-kid cooldown, so this is the TTL path, not a kid refetch).
      issuer.publish(await issuer.addKey('k2'));
      await sleep(3100);
      assert.deepEqual(await status(worker, token), { status: 401, code: 'ERR_JWT_KEY_NOT_FOUND' });
    });
  });

  test('the TTL is clamped to [1 min, 24 h] by default', async () => {
    const issuer = await startIssuer({ cacheControl: 'max-age=5' });
    issuer.publish(await issuer.addKey('k1'));
    await withWorker(issuer, {}, async (worker) => {
      const since = worker.logs().length;
      assert.equal((await status(worker, await issuer.sign())).status, 200);
      const finished = () => jwksEvents(worker, since).find((e) => e.event === 'jwks_fetch_finished');
      await waitFor(() => finished() !== undefined);
      assert.equal(finished().ttlMs, 60_000);
    });
  });
});

describe('Cache API', { timeout: 120_000 }, () => {
  test('a new isolate starts from the Cache API copy, without a fetch, even with the issuer down', async () => {
    const persist = scratchDir('jwtward-worker-persist-');
    const issuer = await startIssuer({ cacheControl: 'max-age=600' });
    issuer.publish(await issuer.addKey('k1'));
    const token = await issuer.sign({}, { expiresIn: 600 });
    const policy = testPolicy(issuer);
    await withWorker(issuer, {}, async (worker) => {
      assert.equal((await status(worker, token)).status, 200);
      // The copy is written with waitUntil, after the response.
      await sleep(300);
    }, { persist });
    assert.equal(issuer.fetches, 1);
    issuer.mode = 'status500';
    const worker = await startWorker({ policy, persist });
    const since = 0;
    try {
      assert.equal((await status(worker, token)).status, 200);
      assert.equal(issuer.fetches, 1, 'no fetch: the keys came from the Cache API');
      await waitFor(() => jwksEvents(worker, since).some((e) => e.event === 'jwks_store_loaded'));
      assert.ok(!jwksEvents(worker, since).some((e) => e.event === 'jwks_fetch_started'), 'no fetch was even started');
    } finally {
      await worker.dispose();
    }
  });
});
