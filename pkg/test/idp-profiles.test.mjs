// Identity-provider profiles through the npm package (issue 11 §4): for Entra ID, Okta, Auth0,
// Keycloak, Amazon Cognito, Google and oidc-provider, a token of the documented shape
// (tests/fixtures/idp/profiles.json, shared with tests/idp_profiles.rs) signed with the TEST
// ONLY fixture keys, verified with the policy a user writes, through `verify` (node:crypto),
// `verifyAsync` and the portable path; every refusal case gets its code on every path. The
// README's "Works with" table must be these policies. Last, a token from a running oidc-provider
// has exactly the fixture's header and claim names and passes the same policy.
// Run after `node scripts/build.mjs`.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { test } from 'node:test';

import { exportJWK, generateKeyPair } from 'jose';
import { JwtError, Verifier } from 'jwtward';
import Provider from 'oidc-provider';
import { signRaw } from '../testkit/keys.mjs';

const root = new URL('../../', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('tests/fixtures/idp/profiles.json', root), 'utf8'));
const NOW = fixture.now;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
/** The second key of a profile's set, as during a rotation (as in tests/idp_profiles.rs). */
const NEXT_KEY = { 'rsa2048-a': 'rsa2048-b', 'ec-p256': 'ec-p256-attacker' };

function fixtureKey(stem) {
  const file = (ext) => new URL(`tests/fixtures/keys/${stem}-test-only.${ext}`, root);
  const jwk = JSON.parse(readFileSync(file('jwk.json'), 'utf8'));
  for (const member of PRIVATE_MEMBERS) delete jwk[member];
  return { publicJwk: jwk, privateKey: createPrivateKey(readFileSync(file('pkcs8.pem'))) };
}

/** `base` with `changes` merged in (null removes a member). */
function changed(base, changes = {}) {
  const out = { ...base };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

/** A profile's JWK Set and signer. */
function providerOf(profile) {
  const { alg, key: stem } = profile.signing;
  const { kid } = profile.header;
  const own = fixtureKey(stem);
  const next = fixtureKey(NEXT_KEY[stem]);
  const jwks = {
    keys: [
      { ...own.publicJwk, kid, ...profile.jwk },
      { ...next.publicJwk, kid: `${kid}-next`, ...profile.jwk },
    ],
  };
  const sign = (header, claims) => signRaw({ alg, privateKey: own.privateKey }, header, claims);
  return { jwks, sign };
}

/** The verdict of one path: 'valid' (checking the result) or the error code. */
async function verdict(run) {
  try {
    return { result: await run(), code: 'valid' };
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    return { code: error.code };
  }
}

/** Every path a user may take: node:crypto (verify), verifyAsync, the portable path. */
const PATHS = {
  verify: (verifier, token) => verifier.verify(token, { now: NOW }),
  verifyAsync: (verifier, token) => verifier.verifyAsync(token, { now: NOW }),
};

test('every provider profile: the documented token verifies, the wrong tenant, audience, client or scope is refused', async () => {
  let checked = 0;
  for (const profile of fixture.profiles) {
    const { jwks, sign } = providerOf(profile);
    const verifiers = [
      new Verifier({ jwks, ...profile.policy }),
      new Verifier({ jwks, ...profile.policy, backend: 'wasm', cache: false }),
    ];
    const token = sign(profile.header, profile.claims);
    for (const verifier of verifiers) {
      for (const [path, run] of Object.entries(PATHS)) {
        const { result, code } = await verdict(() => run(verifier, token));
        assert.equal(code, 'valid', `${profile.id} via ${path}`);
        assert.deepEqual(result.payload, profile.claims, `${profile.id} via ${path}`);
        assert.deepEqual(result.scopes, profile.scopes, `${profile.id} via ${path}: granted scopes`);
        assert.equal(result.kid, profile.header.kid);
        assert.equal(result.alg, profile.signing.alg);
      }
      for (const refusal of profile.cases) {
        const header = changed(profile.header, refusal.header);
        const claims = changed(profile.claims, refusal.claims);
        const refused = sign(header, claims);
        for (const [path, run] of Object.entries(PATHS)) {
          const { code } = await verdict(() => run(verifier, refused));
          assert.equal(code, refusal.expect, `${profile.id} / ${refusal.name} via ${path}`);
          checked++;
        }
      }
    }
    // explain agrees, and says which claims the scopes were read from.
    const report = verifiers[0].explain(token, { now: NOW });
    assert.equal(report.valid, true, profile.id);
    assert.deepEqual(report.scopes, profile.scopes);
    for (const verifier of verifiers) verifier.free();
  }
  assert.ok(checked >= 150, `${checked} refusal checks`);
});

/** The policy as a JavaScript object literal, as the README writes it. */
function literal(value) {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(
      ([name, member]) => `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`}: ${literal(member)}`,
    );
    return `{ ${members.join(', ')} }`;
  }
  return typeof value === 'string' ? `'${value}'` : String(value);
}

test("README's Works with table is exactly the tested policies", () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const start = readme.indexOf('\n## Works with');
  assert.ok(start >= 0, 'README has a Works with section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 4));
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| provider'))
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |`/g, '')));
  const expected = fixture.profiles.map((profile) => [profile.name, literal(profile.policy)]);
  assert.deepEqual(
    rows.map(([name, policy]) => [name, policy]),
    expected,
    `the table's rows should be:\n${expected.map(([name, policy]) => `| ${name} | \`${policy}\` |`).join('\n')}`,
  );
});

test('a token from a running oidc-provider has the profile\'s shape and passes its policy', { timeout: 60_000 }, async () => {
  const profile = fixture.profiles.find((candidate) => candidate.id === 'oidc-provider');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const issuer = `http://127.0.0.1:${server.address().port}`;
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const signingKey = { ...(await exportJWK(privateKey)), kid: profile.header.kid, alg: 'ES256', use: 'sig' };
    const secret = 'orders-sync-secret-0123456789abcdef0123456789';
    const provider = new Provider(issuer, {
      clients: [{
        client_id: 'orders-sync',
        client_secret: secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'orders:read orders:write',
        id_token_signed_response_alg: 'ES256',
      }],
      jwks: { keys: [signingKey] },
      scopes: ['orders:read', 'orders:write'],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => profile.policy.audience,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'orders:read orders:write',
            audience: profile.policy.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 300,
            jwt: { sign: { alg: 'ES256' } },
          }),
        },
      },
    });
    server.on('request', provider.callback());
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`orders-sync:${secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'orders:read', resource: profile.policy.audience }),
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    const token = body.access_token;
    const [header, claims] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url')));
    // The fixture's shape is the real one: the same header and claim names.
    assert.deepEqual(Object.keys(header).sort(), Object.keys(profile.header).sort());
    assert.deepEqual(Object.keys(claims).sort(), Object.keys(profile.claims).sort());
    assert.equal(header.typ, 'at+jwt');
    const jwks = await (await fetch(discovery.jwks_uri)).json();
    const verifier = new Verifier({ jwks, ...profile.policy, issuer: discovery.issuer });
    const now = Math.floor(Date.now() / 1000);
    const verified = await verifier.verifyAsync(token, { now });
    assert.deepEqual(verified.scopes, ['orders:read']);
    assert.equal(verified.payload.client_id, 'orders-sync');
    assert.equal(verifier.verify(token, { now }).kid, profile.header.kid);
    verifier.free();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
