#!/usr/bin/env node
// Mints one demo access token (RFC 9068 shape: typ at+jwt, iss, aud, sub, client_id, scope, iat, exp,
// jti) signed with the TEST-ONLY demo issuer key, for the policy in worker/policy.demo.json.
//
//   npm run -s token -- --scope orders:read --tenant acme [--expires-in SECONDS] [--sub ID]
//
// A negative --expires-in gives a token that expired that many seconds ago. Prints the token alone on
// stdout, so it can go straight into a curl line:
//   curl -H "Authorization: Bearer $(npm run -s token -- --scope orders:read)" http://127.0.0.1:8787/api/orders
//
// Also a module: the tests import mintDemoToken().

import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { importJWK, SignJWT } from 'jose';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const policy = JSON.parse(readFileSync(here('../policy.demo.json'), 'utf8'));
// TEST ONLY: see the warning inside the file.
const { jwk: privateJwk } = JSON.parse(readFileSync(here('./demo-issuer.private.jwk.json'), 'utf8'));

/**
 * @param {{ scope?: string | string[], tenant?: string, expiresIn?: number, sub?: string, clientId?: string,
 *           audience?: string, issuer?: string, extraClaims?: object, now?: number }} [options]
 * @returns {Promise<string>}
 */
export async function mintDemoToken(options = {}) {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn ?? 3600;
  const exp = now + expiresIn;
  // An expired token was issued an hour before it expired, so its iat is never after its exp.
  const iat = expiresIn > 0 ? now : exp - 3600;
  const scopes = [options.scope ?? []].flat().flatMap((s) => s.split(' ')).filter(Boolean);
  const claims = {
    client_id: options.clientId ?? 'demo-client',
    ...(scopes.length ? { scope: scopes.join(' ') } : {}),
    ...(options.tenant !== undefined ? { [policy.tenantClaim]: options.tenant } : {}),
    ...options.extraClaims,
  };
  const key = await importJWK(privateJwk, privateJwk.alg);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: privateJwk.alg, kid: privateJwk.kid, typ: 'at+jwt' })
    .setIssuer(options.issuer ?? policy.issuer)
    .setAudience(options.audience ?? policy.audience)
    .setSubject(options.sub ?? 'demo-client')
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(key);
}

const USAGE = `usage: npm run -s token -- [--scope SCOPE]... [--tenant ID] [--expires-in SECONDS] [--sub ID] [--client-id ID]

  --scope        a scope to grant (repeat it, or give several separated by spaces)
  --tenant       the ${policy.tenantClaim} claim (the /tenants/:tenant/* routes compare it with the path)
  --expires-in   lifetime in seconds (default 3600); negative gives an already expired token
  --sub          the subject (default demo-client)
  --client-id    the client_id claim (default demo-client)

The token is signed with the TEST-ONLY demo issuer key in worker/demo/.`;

async function main() {
  // parseArgs takes "-60" for an option; "--expires-in -60" must work as the README shows it.
  const args = [];
  for (const arg of process.argv.slice(2)) {
    if (args.at(-1) === '--expires-in' && /^-\d+$/.test(arg)) args[args.length - 1] = `--expires-in=${arg}`;
    else args.push(arg);
  }
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        scope: { type: 'string', multiple: true },
        tenant: { type: 'string' },
        'expires-in': { type: 'string' },
        sub: { type: 'string' },
        'client-id': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let expiresIn;
  if (values['expires-in'] !== undefined) {
    expiresIn = Number(values['expires-in']);
    if (!Number.isInteger(expiresIn) || expiresIn === 0) {
      console.error(`--expires-in must be a non-zero integer number of seconds\n\n${USAGE}`);
      process.exit(2);
    }
  }
  const token = await mintDemoToken({
    scope: values.scope,
    tenant: values.tenant,
    expiresIn,
    sub: values.sub,
    clientId: values['client-id'],
  });
  process.stdout.write(`${token}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
