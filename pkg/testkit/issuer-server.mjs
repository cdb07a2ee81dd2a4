// Test helper (Node side): the issuers the key-source scenarios (keys-scenarios.mjs) fetch from,
// on 127.0.0.1 with ports the OS picks, answering with CORS so that a page in Chromium may call
// them like Node and workerd do.
//
// - Fault issuers: `GET /new` makes a fresh one (`/i/<n>`): its JWK Set, its metadata (OpenID
//   Connect and RFC 8414 locations), redirects, and a switch for every way an issuer can fail.
//   `GET /control/<n>/<op>?...` drives it (add and publish keys, set the mode, sign a token,
//   read the fetch counts). Counts are of requests on the 127.0.0.1 origin only: a browser
//   that follows a cross-origin redirect to `localhost` does not count as a fetch of the key
//   source's origin.
// - A real OpenID provider (npm oidc-provider) on its own port issuing client-credentials
//   RFC 9068 access tokens, with its signing keys rotated on request: `GET /oidc/<op>`.
//
// One server per test file, shared by every scenario of the file (each scenario makes its own
// issuers, so counts never mix).

import { once } from 'node:events';
import { createServer } from 'node:http';

import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const AUDIENCE = 'api://test';
const OIDC_RESOURCE = 'api://orders';
const OIDC_CLIENT = { id: 'orders-sync', secret: 'orders-sync-secret-0123456789abcdef0123456789' };
const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' };

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

function close(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

function json(res, status, value, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...CORS, ...headers });
  res.end(JSON.stringify(value));
}

/** Starts the issuer server; resolves `{ url, close() }` (`url` is what the scenarios call). */
export async function startIssuerServer() {
  const issuers = [];
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) json(res, 500, { error: String(error?.stack ?? error) });
      else res.destroy();
    });
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  const oidc = await startOidc();

  async function handle(req, res) {
    const { pathname, searchParams } = new URL(req.url, url);
    const param = (name) => searchParams.get(name);
    const local = (req.headers.host ?? '').startsWith('127.0.0.1:');
    // A connection per request: a browser resends a request whose reused connection was reset,
    // which would count one fetch of the key source twice.
    res.shouldKeepAlive = false;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'access-control-allow-headers': '*' }).end();
      return;
    }
    if (pathname === '/new') {
      const issuer = await newIssuer(url, port, issuers.length);
      issuers.push(issuer);
      json(res, 200, { id: issuer.id, issuer: issuer.issuer, jwksUri: issuer.jwksUri, kid: issuer.published[0] });
      return;
    }
    let match = /^\/control\/(\d+)\/(\w+)$/.exec(pathname);
    if (match) {
      json(res, 200, await issuers[Number(match[1])].control(match[2], param));
      return;
    }
    match = /^\/oidc\/(\w+)$/.exec(pathname);
    if (match) {
      json(res, 200, await oidc.control(match[1], param));
      return;
    }
    match = /^\/\.well-known\/oauth-authorization-server\/i\/(\d+)$/.exec(pathname);
    if (match) {
      issuers[Number(match[1])]?.serve('oauth', req, res, local);
      return;
    }
    match = /^\/i\/(\d+)\/(.+)$/.exec(pathname);
    const issuer = match ? issuers[Number(match[1])] : undefined;
    if (issuer === undefined) {
      res.writeHead(404, CORS).end();
      return;
    }
    const route = {
      'jwks.json': 'jwks',
      '.well-known/openid-configuration': 'oidc',
      moved: 'moved',
      away: 'away',
    }[match[2]];
    if (route === undefined) res.writeHead(404, CORS).end();
    else issuer.serve(route, req, res, local);
  }

  return {
    url,
    async close() {
      await Promise.all([close(server), oidc.close()]);
    },
  };
}

async function newKey(kid, alg = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, privateJwk: { ...(await exportJWK(privateKey)), kid, alg } };
}

async function newIssuer(url, port, id) {
  const base = `${url}/i/${id}`;
  const keys = new Map();
  const first = await newKey('k1');
  keys.set('k1', first);
  const state = {
    published: ['k1'],
    mode: 'ok',
    metadata: 'oidc',
    delayMs: 0,
    cacheControl: 'max-age=600',
    age: undefined,
    counts: { jwks: 0, oidc: 0, oauth: 0, moved: 0, away: 0 },
  };

  function jwksBody() {
    switch (state.mode) {
      case 'ok':
        return { keys: state.published.map((kid) => keys.get(kid).publicJwk) };
      case 'empty':
        return { keys: [] };
      case 'notjwks':
        return { issuer: base, note: 'metadata, not a JWK Set' };
      case 'private':
        return { keys: state.published.map((kid) => keys.get(kid).privateJwk) };
      case 'secret':
        return { keys: [...state.published.map((kid) => keys.get(kid).publicJwk), { kty: 'oct', kid: 'hs', alg: 'HS256', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' }] };
      case 'unusable':
        // Well-formed, but the one key is not on its curve: jwtward can never verify with it.
        return { keys: [{ kty: 'EC', crv: 'P-256', kid: 'broken', alg: 'ES256', x: 'AAAA', y: 'AAAA' }] };
      default:
        return undefined;
    }
  }

  function respondJwks(res) {
    const body = jwksBody();
    if (body !== undefined) {
      const headers = { 'content-type': 'application/jwk-set+json', 'cache-control': state.cacheControl, ...CORS };
      if (state.age !== undefined) headers.age = state.age;
      res.writeHead(200, headers).end(JSON.stringify(body));
      return;
    }
    switch (state.mode) {
      case 'status500':
        res.writeHead(500, { 'content-type': 'text/plain', ...CORS }).end('internal error');
        break;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html', ...CORS }).end('<html><body>maintenance</body></html>');
        break;
      case 'huge': {
        // 600 KiB, streamed without a Content-Length: the reader must stop at 512 KiB.
        res.writeHead(200, { 'content-type': 'application/json', ...CORS });
        const chunk = ' '.repeat(64 * 1024);
        res.write('{"keys":[');
        let sent = 0;
        const more = () => {
          while (sent < 10) {
            sent += 1;
            if (!res.write(chunk)) {
              res.once('drain', more);
              return;
            }
          }
          res.end(']}');
        };
        res.on('error', () => {});
        more();
        break;
      }
      case 'hugeDeclared':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(600 * 1024), ...CORS });
        res.end(`{"keys":[]}${' '.repeat(600 * 1024 - 11)}`);
        break;
      case 'hang':
        // Headers never come: only the client's timeout ends this.
        break;
      case 'reset':
        res.socket.destroy();
        break;
      default:
        throw new Error(`unknown mode ${state.mode}`);
    }
  }

  function metadataBody(kind) {
    const wrongIssuer = state.metadata === 'wrong-issuer';
    return {
      issuer: wrongIssuer ? `${base}/` : base,
      jwks_uri: state.metadata === 'insecure-jwks-uri' ? 'http://keys.example.com/jwks.json' : `${base}/jwks.json`,
      token_endpoint: `${base}/token`,
      ...(kind === 'oidc' ? { subject_types_supported: ['public'] } : {}),
    };
  }

  return {
    id,
    issuer: base,
    jwksUri: `${base}/jwks.json`,
    get published() {
      return state.published;
    },
    serve(route, req, res, local) {
      if (local) state.counts[route] += 1;
      const reply = () => {
        switch (route) {
          case 'jwks':
            respondJwks(res);
            break;
          case 'oidc':
          case 'oauth':
            if ((route === 'oidc' && state.metadata === 'oauth-only') || state.metadata === 'none') {
              res.writeHead(404, CORS).end();
            } else {
              json(res, 200, metadataBody(route));
            }
            break;
          case 'moved':
            res.writeHead(302, { location: `/i/${id}/jwks.json`, ...CORS }).end();
            break;
          case 'away':
            res.writeHead(302, { location: `http://localhost:${port}/i/${id}/jwks.json`, ...CORS }).end();
            break;
        }
      };
      if (state.delayMs > 0) setTimeout(reply, state.delayMs);
      else reply();
    },
    async control(op, param) {
      switch (op) {
        case 'addKey': {
          const kid = param('kid');
          keys.set(kid, await newKey(kid));
          return { kid };
        }
        case 'publish':
          state.published = param('kids') === '' ? [] : param('kids').split(',');
          return { published: state.published };
        case 'set':
          for (const name of ['mode', 'metadata', 'cacheControl', 'age']) {
            if (param(name) !== null) state[name] = param(name);
          }
          if (state.age === '') state.age = undefined;
          if (param('delayMs') !== null) state.delayMs = Number(param('delayMs'));
          return {};
        case 'counts':
          return { ...state.counts };
        case 'sign': {
          const key = keys.get(param('kid') ?? state.published[0]);
          const now = Math.floor(Date.now() / 1000);
          const claims = { iss: base, aud: AUDIENCE, sub: 'client-1', iat: now, exp: now + 600, ...JSON.parse(param('claims') ?? '{}') };
          // null removes a claim (a token with no `iss`, say).
          for (const name of Object.keys(claims)) if (claims[name] === null) delete claims[name];
          const header = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...JSON.parse(param('header') ?? '{}') };
          return { token: await new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey) };
        }
        default:
          throw new Error(`unknown control op ${op}`);
      }
    },
  };
}

/**
 * oidc-provider on its own port. Its signing keys are fixed per Provider instance, so a rotation
 * swaps in a new instance with the new key set (the first key signs); tokens it issued before
 * stay what they are, self-contained JWTs.
 */
async function startOidc() {
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  let provider;
  let signingKeys = [];
  const counts = { oidc: 0, oauth: 0, jwks: 0 };

  function build() {
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: OIDC_CLIENT.id,
          client_secret: OIDC_CLIENT.secret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: 'orders:read orders:write',
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: signingKeys.map((key) => ({ ...key.privateJwk, use: 'sig' })) },
      scopes: ['orders:read', 'orders:write'],
      ttl: { ClientCredentials: 600 },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => OIDC_RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'orders:read orders:write',
            audience: OIDC_RESOURCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 600,
            jwt: { sign: { alg: 'ES256' } },
          }),
        },
      },
    });
  }

  server.on('request', (req, res) => {
    const { pathname } = new URL(req.url, issuer);
    if (pathname === '/.well-known/openid-configuration') counts.oidc += 1;
    else if (pathname === '/.well-known/oauth-authorization-server') counts.oauth += 1;
    else if (pathname === '/jwks') counts.jwks += 1;
    provider.callback()(req, res);
  });

  async function token(scope) {
    const { token_endpoint: endpoint } = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    counts.oidc -= 1; // the test's own look-up is not a fetch of the key source
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${OIDC_CLIENT.id}:${OIDC_CLIENT.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: OIDC_RESOURCE }),
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`token endpoint: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  return {
    issuer,
    async control(op, param) {
      switch (op) {
        case 'reset':
          // A fresh provider with one key (each runtime's run starts from here).
          signingKeys = [await newKey(`op-${Date.now().toString(36)}-1`)];
          Object.assign(counts, { oidc: 0, oauth: 0, jwks: 0 });
          build();
          return { issuer, kid: signingKeys[0].kid };
        case 'rotate': {
          // The new key first (it signs from now on), the old one still published.
          const next = await newKey(`op-${Date.now().toString(36)}-${signingKeys.length + 1}`);
          signingKeys = [next, ...signingKeys];
          build();
          return { kid: next.kid };
        }
        case 'retire':
          // Only the newest key remains.
          signingKeys = signingKeys.slice(0, 1);
          build();
          return { kids: signingKeys.map((key) => key.kid) };
        case 'token':
          return { token: await token(param('scope') ?? 'orders:read') };
        case 'counts':
          return { ...counts };
        default:
          throw new Error(`unknown oidc op ${op}`);
      }
    },
    close: () => close(server),
  };
}
