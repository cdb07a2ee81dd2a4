// Test harness of the Worker (used by worker/test/ and worker/load/): the Worker as `wrangler deploy
// --dry-run` bundles it, run in real workerd through Miniflare; a test issuer that serves a JWK Set and
// counts fetches; an origin that echoes what it receives. Everything listens on 127.0.0.1 with a port the
// OS picks, and everything is torn down by the test that started it.
//
// Why a bundle in Miniflare rather than wrangler's startWorker (wrangler dev): it is the exact upload,
// it does not watch files (a rebuild of pkg/ in the middle of a run would stall wrangler dev's requests),
// and wrangler dev's local server adds ~10 ms to every request. `npm start` itself (wrangler dev) is
// tested in worker/test/demo.test.mjs.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

// No network and no Cloudflare account: wrangler must not phone home, miniflare must not fetch the
// `Request.cf` template, and no credentials of the machine may be picked up.
export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};
for (const name of Object.keys(process.env)) {
  if (name.startsWith('CLOUDFLARE_') && !(name in OFFLINE_ENV)) delete process.env[name];
}
Object.assign(process.env, OFFLINE_ENV);

const scratchDirs = [];
process.once('exit', () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed when the process exits. */
export function scratchDir(prefix = 'jwtward-worker-test-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

const scratch = scratchDir();
process.env.WRANGLER_LOG_PATH = join(scratch, 'wrangler-logs');
mkdirSync(process.env.WRANGLER_LOG_PATH, { recursive: true });

// Everything started here and not yet closed. A test that fails half-way may skip its own cleanup;
// each test file ends with `after(closeAll)`, so no server or workerd outlives its file.
const open = new Set();
function track(resource, closeFn) {
  let closing;
  // Idempotent: a test may close what closeAll() closes again.
  const close = () => {
    open.delete(close);
    closing ??= closeFn();
    return closing;
  };
  open.add(close);
  resource.close = close;
  return resource;
}

/** Closes every issuer, origin and Worker still open. */
export async function closeAll() {
  await Promise.all([...open].map((close) => close().catch(() => {})));
}

// One bundle serves every test policy: the policy alias points at testkit/policy-from-binding.mjs, which
// hands the Worker the policy of a binding; compilePolicy still runs on it at startup, as in production.
let testBundle;

/**
 * Starts the Worker with a policy object and optional vars (ORIGIN_URL).
 * @param {{ policy: object, vars?: Record<string, string>, persist?: string | false,
 *           serviceBindings?: Record<string, (request: Request) => Response | Promise<Response>> }} options
 *   `persist`: a Cache API directory, to start a second isolate on the first one's cache;
 *   `serviceBindings`: e.g. { ORIGIN: handler }, a service binding answered by a function in this process
 */
export async function startWorker({ policy, vars = {}, persist = false, serviceBindings }) {
  testBundle ??= bundleWorker(configWithPolicyModule(join(ROOT, 'worker', 'testkit', 'policy-from-binding.mjs')));
  const { outdir } = await testBundle;
  const mf = await runBundle(outdir, {
    bindings: { ...vars, JWTWARD_TEST_POLICY: JSON.stringify(policy) },
    port: 0,
    cachePersist: persist,
    serviceBindings,
  });
  const worker = {
    url: mf.url,
    /** fetch() against the Worker; `path` is relative to its URL. Never waits more than 30 s. */
    request: (path, init = {}) => fetch(new URL(path, mf.url), { signal: AbortSignal.timeout(30_000), ...init }),
    /** Miniflare's dispatchFetch: `init.cf` is the request's `request.cf` (a client certificate, say). */
    dispatch: (path, init = {}) => mf.dispatchFetch(new URL(path, mf.url), init),
    /** The JSON lines the Worker has logged so far, parsed. */
    logs: () => mf.stdio().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)),
    /** Waits until the Worker has logged at least `count` request lines after index `since`; returns them. */
    async requestLines(count, since = 0, timeoutMs = 5000) {
      let lines = [];
      await waitFor(() => {
        lines = this.logs().slice(since).filter((l) => l.event === 'request');
        return lines.length >= count;
      }, timeoutMs);
      return lines;
    },
  };
  track(worker, () => mf.dispose());
  worker.dispose = worker.close;
  return worker;
}

/** Runs the wrangler CLI (offline); resolves { code, output }. */
export function runWrangler(args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: { ...process.env, ...OFFLINE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wrangler ${args.join(' ')} timed out:\n${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * A copy of the repository's wrangler.toml in a scratch directory, with its relative paths made absolute
 * and the policy alias pointed at `modulePath`: what a user does to protect their own API.
 * (`wrangler deploy --alias` would be simpler, but wrangler 4.86's deploy ignores it.) `main`: another
 * entry module (absolute path) than the repository's Worker.
 */
export function configWithPolicyModule(modulePath, { main: entry } = {}) {
  const dir = scratchDir('jwtward-config-');
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
    .replace(/^main = "(.+)"$/m, (_, main) => `main = ${JSON.stringify(entry ?? join(ROOT, main))}`)
    .replace(/^"@jwtward\/policy" = ".+"$/m, `"@jwtward/policy" = ${JSON.stringify(modulePath)}`)
    .replace(/^directory = "(.+)"$/m, (_, assets) => `directory = ${JSON.stringify(join(ROOT, assets))}`);
  if (!toml.includes(JSON.stringify(modulePath))) throw new Error('wrangler.toml has no "@jwtward/policy" alias line');
  const configPath = join(dir, 'wrangler.toml');
  writeFileSync(configPath, toml);
  return configPath;
}

/** Like configWithPolicyModule, with a policy file holding `policy`. */
export function configWithPolicy(policy) {
  const policyPath = join(scratchDir('jwtward-policy-'), 'policy.json');
  writeFileSync(policyPath, JSON.stringify(policy));
  return configWithPolicyModule(policyPath);
}

/** `wrangler deploy --dry-run` of a wrangler config: the exact upload, in a scratch directory. */
export async function bundleWorker(configPath = join(ROOT, 'wrangler.toml')) {
  const outdir = scratchDir('jwtward-bundle-');
  const { code, output } = await runWrangler(['deploy', '--dry-run', '--outdir', outdir, '--config', configPath]);
  if (code !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${output}`);
  return { outdir, output };
}

/**
 * Runs a bundle from bundleWorker() in workerd through Miniflare, without wrangler's dev server in
 * front. Resolves with the Miniflare instance (and `stdio()`, what the Worker printed), or rejects
 * with the startup error, its `stdio` attached.
 * @param {{ bindings?: Record<string, string>, port?: number, cachePersist?: string | false }} [options]
 *   `port`: listen on 127.0.0.1 (0: any free one), else requests only through dispatchFetch();
 *   `cachePersist`: a directory for the Cache API (shared by instances given the same one)
 */
export async function runBundle(outdir, { bindings = {}, port, cachePersist = false, serviceBindings } = {}) {
  const { Miniflare } = await import('miniflare');
  let stdio = '';
  const mf = new Miniflare({
    modules: true,
    modulesRoot: outdir,
    scriptPath: join(outdir, 'index.js'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: /^compatibility_date = "(.+)"$/m.exec(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'))[1],
    bindings,
    ...(serviceBindings ? { serviceBindings } : {}),
    cachePersist,
    cf: false, // the built-in Request.cf placeholder: never download one
    ...(port === undefined ? {} : { host: '127.0.0.1', port }),
    handleRuntimeStdio(stdout, stderr) {
      stdout.on('data', (d) => (stdio += d));
      stderr.on('data', (d) => (stdio += d));
    },
  });
  let url;
  try {
    url = await mf.ready;
  } catch (error) {
    await mf.dispose().catch(() => {});
    error.stdio = stdio;
    throw error;
  }
  return Object.assign(mf, { url, stdio: () => stdio });
}

/** Bearer authorization header. */
export const bearer = (token) => ({ authorization: `Bearer ${token}` });

/**
 * Parses a WWW-Authenticate Bearer challenge into { scheme, realm, error, error_description, scope }.
 * Written independently of the Worker's own formatter, following RFC 9110 §11.6.1 auth-param syntax.
 */
export function parseChallenge(value) {
  const match = /^(\S+)\s*(.*)$/.exec(value ?? '');
  if (!match) return null;
  const params = { scheme: match[1] };
  const re = /\s*([A-Za-z_]+)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
  let m;
  while ((m = re.exec(match[2])) !== null) params[m[1]] = m[2];
  if (re.lastIndex !== 0 && re.lastIndex < match[2].length) params.unparsed = match[2].slice(re.lastIndex);
  return params;
}

/**
 * A test issuer: a key pair per kid, a JWK Set at /jwks.json, and switches for every way an issuer
 * can misbehave. Counts fetches.
 */
export async function startIssuer({ alg = 'ES256', cacheControl = 'max-age=600' } = {}) {
  const keys = new Map(); // kid -> { privateKey, publicJwk }
  const state = { published: [], mode: 'ok', delayMs: 0, cacheControl, fetches: 0 };

  async function addKey(kid = `key-${randomUUID().slice(0, 8)}`) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    keys.set(kid, { privateKey, publicJwk });
    return kid;
  }

  const server = createServer((req, res) => {
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    state.fetches += 1;
    const respond = () => {
      switch (state.mode) {
        case 'ok':
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': state.cacheControl });
          res.end(JSON.stringify({ keys: state.published.map((kid) => keys.get(kid).publicJwk) }));
          break;
        case 'status500':
          res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
          break;
        case 'html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>maintenance</body></html>');
          break;
        case 'empty':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
          break;
        case 'unusable':
          // A syntactically fine JWK Set whose only key jwtward cannot use.
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'broken', x: 'AAAA', y: 'AAAA' }] }));
          break;
        case 'reset':
          res.socket.destroy();
          break;
        default:
          throw new Error(`unknown issuer mode ${state.mode}`);
      }
    };
    if (state.delayMs > 0) setTimeout(respond, state.delayMs);
    else respond();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${server.address().port}`;

  return track({
    url,
    issuer: url,
    jwksUri: `${url}/jwks.json`,
    addKey,
    /** Publishes exactly these kids (the JWK Set the issuer serves). */
    publish: (...kids) => {
      state.published = kids;
    },
    set mode(mode) {
      state.mode = mode;
    },
    set delayMs(ms) {
      state.delayMs = ms;
    },
    set cacheControl(value) {
      state.cacheControl = value;
    },
    get fetches() {
      return state.fetches;
    },
    publicJwk: (kid) => keys.get(kid).publicJwk,
    /**
     * Signs a token with the key `kid`. Defaults: iss = this issuer's URL, aud = api://test, sub = client-1,
     * iat = now, exp = now + 300, typ at+jwt.
     */
    async sign(claims = {}, { kid, expiresIn = 300, header = {}, audience = 'api://test', issuer = url } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const signingKid = kid ?? state.published[0];
      const entry = keys.get(signingKid);
      if (!entry) throw new Error(`no key ${signingKid}`);
      return new SignJWT({ sub: 'client-1', ...claims })
        .setProtectedHeader({ alg, kid: signingKid, typ: 'at+jwt', ...header })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .sign(entry.privateKey);
    },
  }, () => closeServer(server));
}

/** An origin that answers every request with what it received: { method, url, headers, body }. */
export async function startEchoOrigin() {
  const received = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const entry = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    received.push(entry);
    res.writeHead(200, { 'content-type': 'application/json', 'x-origin': 'echo' });
    res.end(JSON.stringify(entry));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return track({ url: `http://127.0.0.1:${server.address().port}`, received }, () => closeServer(server));
}

function closeServer(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A minimal valid policy for a test issuer; `overrides` replace top-level fields. */
export function testPolicy(issuer, overrides = {}) {
  return {
    realm: 'test-api',
    issuer: issuer.issuer,
    audience: 'api://test',
    algorithms: ['ES256'],
    jwksUri: issuer.jwksUri,
    routes: [{ path: '/*' }],
    ...overrides,
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it returns true or `timeoutMs` passes. */
export async function waitFor(condition, timeoutMs = 5000, stepMs = 25) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(stepMs);
  }
  return false;
}
