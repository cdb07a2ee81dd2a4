// Regenerates www/sample.json: a TEST-ONLY token signed by a throwaway key pair, with the public
// JWK Set and a policy that accepts it, so the page's "Load sample" button verifies offline.
// The private keys are created here and discarded; nothing in the repository can sign tokens.
// Run from the repository root: node www/make-sample.mjs
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair, exportJWK } from 'jose';

const es = await generateKeyPair('ES256', { extractable: true });
const rs = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
const esJwk = { ...(await exportJWK(es.publicKey)), kid: 'sample-es256', alg: 'ES256', use: 'sig' };
const rsJwk = { ...(await exportJWK(rs.publicKey)), kid: 'sample-rs256', alg: 'RS256', use: 'sig' };

// A fixed past issue time, so a viewer whose clock lags the machine that made the sample never
// sees it as issued in the future.
const issuedAt = Date.UTC(2025, 0, 1) / 1000;
// Far-future expiry so the sample stays verifiable for years; the page's lifetime warning on it
// is expected and shows what warnings look like.
const expiresAt = Date.UTC(2100, 0, 1) / 1000;
const token = await new SignJWT({
  scope: 'orders:read orders:write',
  client_id: 'inventory-sync',
  tenant_id: 'acme',
})
  .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'sample-es256' })
  .setIssuer('https://auth.example.test/')
  .setSubject('inventory-sync')
  .setAudience('api://orders')
  .setIssuedAt(issuedAt)
  .setNotBefore(issuedAt)
  .setExpirationTime(expiresAt)
  .setJti(randomUUID())
  .sign(es.privateKey);

const sample = {
  note: 'TEST ONLY. A sample for the jwtward inspector, signed by a throwaway key whose private half was discarded. Never trust these keys anywhere.',
  token,
  jwks: { keys: [esJwk, rsJwk] },
  policy: {
    issuer: 'https://auth.example.test/',
    audience: 'api://orders',
    algorithms: ['ES256', 'RS256'],
    requiredScopes: ['orders:read'],
    clockTolerance: 30,
  },
};
writeFileSync(new URL('./sample.json', import.meta.url), JSON.stringify(sample, null, 2) + '\n');
console.log('wrote www/sample.json');
