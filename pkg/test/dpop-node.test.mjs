// Sender-constrained tokens in Node: the scenarios of pkg/testkit/dpop-scenarios.mjs (the same in
// workerd and Chromium) through the package as Node loads it, plus proofs made by a real DPoP
// client library, the `dpop` npm package (panva), for a token bound to its key.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';

import { generateKeyPair, generateProof, calculateThumbprint } from 'dpop';

import * as jwtward from '../src/node.mjs';
import { SCENARIO_NAMES, runScenario } from '../testkit/dpop-scenarios.mjs';

for (const name of SCENARIO_NAMES()) {
  test(`Node: ${name}`, async () => {
    const result = await runScenario(name, jwtward);
    assert.ok(result.ok, result.error);
  });
}

test('Node: proofs from the dpop client library (ES256, Ed25519, PS256) verify; its replays do not', async () => {
  const secret = Buffer.from('node-dpop-interop-hs256-secret-32b!!');
  const now = Math.floor(Date.now() / 1000);
  const verifier = new jwtward.Verifier({ jwks: { keys: [{ kty: 'oct', kid: 'hs', k: secret.toString('base64url') }] }, senderConstraint: 'dpop' });
  const url = 'https://api.example/orders/42';
  for (const alg of ['ES256', 'Ed25519', 'PS256']) {
    const keypair = await generateKeyPair(alg);
    const jkt = await calculateThumbprint(keypair.publicKey);
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'hs' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'c', exp: now + 60, cnf: { jkt } })).toString('base64url');
    const token = `${header}.${payload}.${createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')}`;
    const proof = await generateProof(keypair, url, 'DELETE', undefined, token);
    const options = { dpop: { proof, method: 'DELETE', url } };
    const result = await verifier.verifyAsync(token, options);
    assert.deepEqual(result.cnf, { jkt }, alg);
    await assert.rejects(verifier.verifyAsync(token, options), (error) => error.code === 'ERR_JWT_BAD_DPOP_PROOF' && error.claim === 'jti', `${alg}: replay`);
    const other = await generateProof(await generateKeyPair(alg), url, 'DELETE', undefined, token);
    assert.throws(() => verifier.verify(token, { dpop: { proof: other, method: 'DELETE', url } }), (error) => error.code === 'ERR_JWT_BAD_BINDING', `${alg}: another key`);
  }
});
