// The Worker's DPoP across isolates, in workerd (issue 14): three instances of this repository's Worker
// in one Miniflare, each its own isolate, with a policy that requires DPoP-bound tokens.
//   a, b   share the DPOP_REPLAY Durable Object (a's DpopReplayStore class) and the nonce secret
//   c      no DPOP_REPLAY (its isolate's memory) and another nonce secret
// A proof accepted by a is refused by b (and the other way round), while c, which only has its own
// memory, accepts it: what the Durable Object is for. Nonces are an HMAC of the time under the secret:
// one issued by a is accepted by b without anything shared but the secret, and refused by c.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Miniflare } from 'miniflare';
import { ROOT, bundleWorker, closeAll, configWithPolicyModule, runBundle, startIssuer } from '../testkit/harness.mjs';
import { dpopClient } from '../../pkg/testkit/dpop-client.mjs';

after(closeAll);

const API = 'https://api.example.test';
const SECRET = 'dpop-worker-test-only-nonce-secret-0123456789';
const OTHER_SECRET = 'another-test-only-nonce-secret-0123456789abcd';

describe('DPoP in the Worker: a Durable Object replay store, nonces without shared state', { timeout: 240_000 }, () => {
  let issuer;
  let outdir;
  let mf;
  let client;
  let token;
  let policy;

  before(async () => {
    issuer = await startIssuer();
    issuer.publish(await issuer.addKey('k1'));
    client = await dpopClient();
    token = await issuer.sign({ scope: 'orders:read', cnf: { jkt: client.jkt } });
    policy = {
      realm: 'dpop-api',
      issuer: issuer.issuer,
      audience: 'api://test',
      algorithms: ['ES256'],
      jwksUri: issuer.jwksUri,
      senderConstraint: 'dpop',
      routes: [
        { name: 'orders', path: '/api/orders' },
        { name: 'payments', path: '/api/payments', dpop: { nonce: true } },
      ],
    };
    const config = configWithPolicyModule(join(ROOT, 'worker', 'testkit', 'policy-from-binding.mjs'), { main: join(ROOT, 'worker', 'testkit', 'dpop-replay', 'index.mjs') });
    ({ outdir } = await bundleWorker(config));
    const instance = (name, bindings, durableObjects) => ({
      name,
      modules: true,
      modulesRoot: outdir,
      scriptPath: join(outdir, 'index.js'),
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: '2026-04-20',
      bindings: { JWTWARD_TEST_POLICY: JSON.stringify(policy), ...bindings },
      ...(durableObjects ? { durableObjects } : {}),
    });
    mf = new Miniflare({
      workers: [
        instance('a', { DPOP_NONCE_SECRET: SECRET }, { DPOP_REPLAY: 'DpopReplayStore' }),
        instance('b', { DPOP_NONCE_SECRET: SECRET }, { DPOP_REPLAY: { className: 'DpopReplayStore', scriptName: 'a' } }),
        instance('c', { DPOP_NONCE_SECRET: OTHER_SECRET }),
      ],
      cf: false,
      handleRuntimeStdio() {},
    });
    await mf.ready;
  });
  after(async () => {
    await mf?.dispose();
  });

  /** A request to instance `name` with the token and `proof` (made for `path` when not given). */
  async function send(name, path, { proof, nonce } = {}) {
    const worker = await mf.getWorker(name);
    const dpop = proof ?? (await client.proof(token, `${API}${path}`, 'GET', { nonce }));
    const response = await worker.fetch(`${API}${path}`, { headers: { authorization: `DPoP ${token}`, dpop } });
    const body = await response.json();
    return { status: response.status, code: body.code, claim: body.claim, error: body.error, nonce: response.headers.get('dpop-nonce'), proof: dpop };
  }

  test('a proof accepted by one instance is refused by another that shares the Durable Object', async () => {
    const first = await send('a', '/api/orders');
    assert.equal(first.status, 200);
    const replayed = await send('b', '/api/orders', { proof: first.proof });
    assert.deepEqual([replayed.status, replayed.code, replayed.claim], [401, 'ERR_JWT_BAD_DPOP_PROOF', 'jti'], 'replayed to another isolate');
    assert.deepEqual([(await send('a', '/api/orders', { proof: first.proof })).claim], ['jti'], 'replayed to the same one');
    const second = await send('b', '/api/orders');
    assert.equal(second.status, 200);
    assert.equal((await send('a', '/api/orders', { proof: second.proof })).claim, 'jti', 'and the other way round');
    // An instance with only its isolate's memory never saw it: without the Durable Object, a replay
    // to another isolate would pass.
    assert.equal((await send('c', '/api/orders', { proof: first.proof })).status, 200);
  });

  test('the same proof sent to two instances at once is accepted once', async () => {
    const proof = await client.proof(token, `${API}/api/orders`);
    const answers = await Promise.all([send('a', '/api/orders', { proof }), send('b', '/api/orders', { proof }), send('a', '/api/orders', { proof })]);
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 401, 401]);
  });

  test('the Durable Object forgets a proof once its iat window has closed (its alarm)', async () => {
    const namespace = await mf.getDurableObjectNamespace('DPOP_REPLAY', 'a');
    const store = namespace.get(namespace.idFromName('alarm-test'));
    const now = Math.floor(Date.now() / 1000);
    assert.equal(await store.record('alarm-test.1', now + 1, now), true);
    assert.equal(await store.record('alarm-test.1', now + 1, now), false, 'a replay');
    // Asked again as of `now`, the key is new only if the alarm (at now + 2) deleted it.
    const deadline = Date.now() + 10_000;
    let forgotten = false;
    while (!forgotten && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      forgotten = await store.record('alarm-test.probe', now + 1, now) && (await store.record('alarm-test.1', now + 600, now));
    }
    assert.ok(forgotten, 'the entry was deleted after its expiry');
  });

  test('nonces: issued by one instance, accepted by another with the same secret, refused by one with another', async () => {
    const first = await send('a', '/api/payments');
    assert.deepEqual([first.status, first.error, first.claim], [401, 'use_dpop_nonce', 'nonce']);
    assert.match(first.nonce, /^[A-Za-z0-9_-]{22}$/);
    // The client retries with the nonce, here at another isolate: nothing was stored, nothing shared.
    const retried = await send('b', '/api/payments', { nonce: first.nonce });
    assert.equal(retried.status, 200);
    assert.equal(retried.nonce, first.nonce, 'the same nonce, from the same secret and period');
    const elsewhere = await send('c', '/api/payments', { nonce: first.nonce });
    assert.deepEqual([elsewhere.status, elsewhere.error], [401, 'use_dpop_nonce']);
    assert.notEqual(elsewhere.nonce, first.nonce);
  });

  test('a policy with nonces needs DPOP_NONCE_SECRET; DPOP_REPLAY must be a Durable Object namespace', async () => {
    const bindings = { JWTWARD_TEST_POLICY: JSON.stringify(policy) };
    for (const extra of [{}, { DPOP_NONCE_SECRET: 'too-short' }]) {
      await assert.rejects(runBundle(outdir, { bindings: { ...bindings, ...extra } }), (error) => {
        assert.match(error.stdio, /ERR_DPOP_NONCE_SECRET/);
        return true;
      });
    }
    await assert.rejects(runBundle(outdir, { bindings: { ...bindings, DPOP_NONCE_SECRET: SECRET, DPOP_REPLAY: 'not a namespace' } }), (error) => {
      assert.match(error.stdio, /ERR_DPOP_REPLAY_BINDING/);
      return true;
    });
  });
});
