// The package as a user gets it: `npm pack`, installed from the tarball into a temporary project
// outside the repository, used by name through ESM `import` and CJS `require` with no init call,
// and type-checked there (nodenext resolution picks index.d.ts for import, index.d.cts for require).
// The READMEs' install commands, run as written, and their Node service, run from what they
// installed against a real OpenID provider (oidc-provider on loopback) named only by its URL.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { startIssuerServer } from '../testkit/issuer-server.mjs';
import { bin, makeProject, pkgDir, repoRoot } from '../testkit/project.mjs';
import { readmeBlock } from '../testkit/readme.mjs';

// A consumer script shared by the ESM and CJS variants: HS256 signed with node:crypto.
const body = `
const secret = Buffer.alloc(32, 7);
const jwks = { keys: [{ kty: 'oct', k: secret.toString('base64url'), alg: 'HS256', kid: 'k1' }] };
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const token = (payload) => {
  const input = b64({ alg: 'HS256', kid: 'k1' }) + '.' + b64(payload);
  return input + '.' + createHmac('sha256', secret).update(input).digest('base64url');
};
const verifier = new Verifier({ jwks, issuer: 'https://issuer.example', audience: 'api' });
const ok = verifier.verify(token({ iss: 'https://issuer.example', aud: 'api', exp: 2000000000, sub: 'u' }), { now: 1750000000 });
let code, isJwtError, isError;
try {
  verifier.verify(token({ iss: 'https://issuer.example', aud: 'api', exp: 1 }), { now: 1750000000 });
} catch (e) {
  code = e.code; isJwtError = e instanceof JwtError; isError = e instanceof Error;
}
const decoded = decode(token({ sub: 'd' })).payload.sub;
verifier.free();
`;

const files = {
  'esm.mjs': `import { Verifier, JwtError, decode } from 'jwtward';
import { createHmac } from 'node:crypto';
${body}
console.log(JSON.stringify({ sub: ok.payload.sub, kid: ok.kid, code, isJwtError, isError, decoded, resolved: import.meta.resolve('jwtward') }));
`,
  'cjs.cjs': `'use strict';
const { Verifier, JwtError, decode } = require('jwtward');
const { createHmac } = require('node:crypto');
${body}
console.log(JSON.stringify({ sub: ok.payload.sub, kid: ok.kid, code, isJwtError, isError, decoded, resolved: require.resolve('jwtward') }));
`,
  // One process using both module systems: one instance, so one JwtError class.
  'dual.cjs': `'use strict';
const cjs = require('jwtward');
import('jwtward').then((esm) => {
  let sameClassCaught = false;
  try { new esm.Verifier({ jwks: 'nope' }); } catch (e) { sameClassCaught = e instanceof cjs.JwtError; }
  // A RemoteJwks made through either module system is a key source for a Verifier of the other.
  const keys = new cjs.RemoteJwks({ jwksUri: 'https://issuer.example/jwks.json', issuer: 'https://issuer.example/' });
  const shared = new esm.Verifier({ jwks: keys }) instanceof cjs.Verifier;
  console.log(JSON.stringify({ sameJwtError: esm.JwtError === cjs.JwtError, sameVerifier: esm.Verifier === cjs.Verifier, sameRemoteJwks: esm.RemoteJwks === cjs.RemoteJwks, sameMemoryStore: esm.memoryStore === cjs.memoryStore, shared, sameClassCaught }));
});
`,
  'types.mts': `import { Verifier, JwtError, type VerifiedToken, type JwtErrorCode } from 'jwtward';
const verifier = new Verifier({ jwks: { keys: [] }, issuer: 'x', cache: false });
const result: VerifiedToken<{ tenant: string }> = verifier.verify<{ tenant: string }>('t', { now: 1 });
const tenant: string = result.payload.tenant;
const exp: number | undefined = result.payload.exp;
const code: JwtErrorCode = new JwtError('ERR_JWT_EXPIRED', 'm').code;
// @ts-expect-error: not an option
new Verifier({ jwks: '{}', issuers: ['x'] });
const remote = new Verifier({ issuer: 'https://login.example.com/', discovery: true, audience: 'api://orders' });
export { tenant, exp, code, remote };
`,
  'types.cts': `import { Verifier, JwtError, RemoteJwks, decode } from 'jwtward';
const verifier = new Verifier({ jwks: new RemoteJwks({ jwksUri: 'https://a.example/keys' }), algorithms: ['ES256'] });
const sub: string | undefined = decode('t').payload.sub;
const e = new JwtError('ERR_JWKS_INVALID', 'm', { field: 'jwks' });
// @ts-expect-error: not an error code
const wrong: typeof e.code = 'ERR_JWT_NOPE';
export = { verifier, sub, wrong };
`,
  // The README's Node example, as pasted by a newcomer.
  'readme.mjs': readmeBlock('Node', 'js', 0),
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: ['types.mts', 'types.cts'],
  }),
};

let project;
before(() => {
  project = makeProject('pack', files);
});
after(() => project?.cleanup());

const node = (file) =>
  JSON.parse(execFileSync(process.execPath, [file], { cwd: project.dir, encoding: 'utf8' }).trim());

test('the tarball holds the entries, the two .wasm builds, the types and the README, and no tests', () => {
  const { files: packed } = project.packed;
  for (const file of [
    'package.json',
    'README.md',
    'index.d.ts',
    'dist/index.d.cts',
    'dist/jwtward_bg.wasm',
    'dist/web/jwtward.js',
    'dist/node/jwtward.js',
    'dist/node/jwtward_bg.wasm',
    'dist/node/api.cjs',
    'dist/node/errors.cjs',
    'dist/node/keys/source.cjs',
    'dist/node/keys/remote.cjs',
    'dist/node/package.json',
    'src/api.js',
    'src/errors.js',
    'src/keys/source.js',
    'src/keys/fetch.js',
    'src/keys/discovery.js',
    'src/keys/stores.js',
    'LICENSE-MIT',
    'LICENSE-APACHE',
    'src/node.cjs',
    'src/node.mjs',
    'src/browser.js',
    'src/workerd.js',
    'src/platform-node.cjs',
    'src/platform-webcrypto.js',
  ]) {
    assert.ok(packed.includes(file), `${file} is in the tarball (${packed.join(', ')})`);
  }
  assert.deepEqual(packed.filter((f) => /^(test|testkit)\//.test(f) || f.endsWith('.tgz')), []);
  // The small module for Workers and browsers, the fast one for Node: same source, two profiles.
  assert.deepEqual(packed.filter((f) => f.endsWith('.wasm')).sort(), ['dist/jwtward_bg.wasm', 'dist/node/jwtward_bg.wasm']);
});

test('ESM import by name, no init call', () => {
  const r = node('esm.mjs');
  assert.deepEqual(
    { ...r, resolved: undefined },
    { sub: 'u', kid: 'k1', code: 'ERR_JWT_EXPIRED', isJwtError: true, isError: true, decoded: 'd', resolved: undefined },
  );
  assert.match(r.resolved, /node_modules\/jwtward\/src\/node\.mjs$/);
  assert.ok(!r.resolved.includes('/work/main/'), 'resolved inside the temp project');
});

test('CJS require by name, no init call', () => {
  const r = node('cjs.cjs');
  assert.deepEqual(
    { ...r, resolved: undefined },
    { sub: 'u', kid: 'k1', code: 'ERR_JWT_EXPIRED', isJwtError: true, isError: true, decoded: 'd', resolved: undefined },
  );
  assert.match(r.resolved, /node_modules\/jwtward\/src\/node\.cjs$/);
});

test('import and require in one process share one instance and one JwtError', () => {
  assert.deepEqual(node('dual.cjs'), { sameJwtError: true, sameVerifier: true, sameRemoteJwks: true, sameMemoryStore: true, shared: true, sameClassCaught: true });
});

test('the licence texts are at the root and in the package, as the manifests say', () => {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(manifest.license, 'MIT OR Apache-2.0');
  for (const name of ['LICENSE-MIT', 'LICENSE-APACHE']) {
    const text = readFileSync(join(repoRoot, name), 'utf8');
    assert.equal(readFileSync(join(project.dir, 'node_modules', 'jwtward', name), 'utf8'), text, `${name} in the tarball`);
  }
  assert.match(readFileSync(join(repoRoot, 'LICENSE-MIT'), 'utf8'), /^MIT License\n\nCopyright \(c\) the jwtward developers\n/);
  assert.match(readFileSync(join(repoRoot, 'LICENSE-APACHE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004[\s\S]+END OF TERMS AND CONDITIONS/);
});

test('TypeScript (tsc --noEmit, nodenext) type-checks ESM and CJS consumers of the installed package', () => {
  try {
    execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: project.dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
  }
});

test("the README's Node example runs as written", () => {
  const out = execFileSync(process.execPath, ['readme.mjs'], { cwd: project.dir, encoding: 'utf8' });
  assert.equal(out, "client-42 [ 'orders:read' ] demo\nERR_JWT_EXPIRED exp\n");
});

// ---------------------------------------------------------------------------------------------
// The READMEs' install commands and Node service, as written.

// npm must not reach the registry (the package has no dependencies) nor phone home.
const npmEnv = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** The install block of pkg/README.md, identical in README.md: its commands, comments dropped. */
function installCommands() {
  const block = readmeBlock('Install', 'sh');
  assert.equal(readmeBlock('JavaScript', 'sh', 0, 'root'), block, 'README.md and pkg/README.md give the same commands');
  return block.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

const serviceSource = () => {
  const source = readmeBlock('A Node service', 'js');
  assert.equal(readmeBlock('JavaScript', 'js', 0, 'root'), source, 'README.md shows the same service first');
  return source;
};

let issuers;
let serviceProjects = [];
before(async () => {
  issuers = await startIssuerServer();
});
after(async () => {
  await issuers?.close();
  for (const dir of serviceProjects) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty project folder, with the README's service in it. */
function serviceProject(name) {
  const dir = mkdtempSync(join(tmpdir(), `jwtward-readme-${name}-`));
  serviceProjects.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `readme-${name}`, version: '1.0.0', private: true }));
  writeFileSync(join(dir, 'server.mjs'), serviceSource());
  return dir;
}

/** Runs one README command in `cwd`, with the checkout's path where the README says /path/to/jwtward. */
function runCommand(command, cwd) {
  const [program, ...args] = command.replaceAll('/path/to/jwtward', repoRoot.replace(/\/$/, '')).split(/\s+/);
  execFileSync(program, args, { cwd, env: npmEnv, stdio: 'pipe', encoding: 'utf8' });
}

/** Starts `node server.mjs` in `dir`; resolves { url, stop() } once it listens. */
async function startService(dir, env) {
  const child = spawn(process.execPath, ['server.mjs'], { cwd: dir, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => (output += d));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start:\n${output}`)), 30_000);
    child.stdout.on('data', (d) => {
      output += d;
      const match = /listening on (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace('localhost', '127.0.0.1'));
      }
    });
    child.on('exit', (code) => reject(new Error(`the service exited (${code}):\n${output}`)));
  });
  return {
    url,
    async stop() {
      child.kill();
      await once(child, 'exit').catch(() => {});
    },
  };
}

async function call(url, token) {
  const response = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** The README's service against the oidc-provider issuer, then against an issuer that is down. */
async function exerciseService(dir) {
  const control = async (op, params = '') => (await fetch(`${issuers.url}/oidc/${op}${params}`)).json();
  const { issuer } = await control('reset');
  const service = await startService(dir, { OAUTH_ISSUER: issuer, OAUTH_AUDIENCE: 'api://orders' });
  try {
    const { token } = await control('token', '?scope=orders%3Aread');
    const ok = await call(service.url, token);
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(JSON.parse(ok.body), { client: 'orders-sync', scopes: ['orders:read'] });
    assert.deepEqual(await control('counts'), { oidc: 1, oauth: 0, jwks: 1 }, 'discovery and keys fetched once');
    assert.equal((await call(service.url, token)).status, 200);
    const missing = await call(service.url);
    assert.equal(missing.status, 401);
    assert.equal(missing.body, 'ERR_JWT_MALFORMED\n');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    const [h, p, sig] = token.split('.');
    const tampered = await call(service.url, `${h}.${p}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    assert.deepEqual([tampered.status, tampered.body], [401, 'ERR_JWT_BAD_SIGNATURE\n']);
    assert.deepEqual(await control('counts'), { oidc: 1, oauth: 0, jwks: 1 }, 'no fetch after the first');
  } finally {
    await service.stop();
  }
  // An issuer nobody answers for: 503 with Retry-After, not 401.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const down = `http://127.0.0.1:${probe.address().port}`;
  await new Promise((resolve) => probe.close(resolve));
  const orphan = await startService(dir, { OAUTH_ISSUER: down, OAUTH_AUDIENCE: 'api://orders' });
  try {
    const { token } = await control('token', '?scope=orders%3Aread');
    const unavailable = await call(orphan.url, token);
    assert.deepEqual([unavailable.status, unavailable.body], [503, 'ERR_JWKS_UNAVAILABLE\n']);
    assert.match(unavailable.headers.get('retry-after'), /^[1-9]\d*$/);
  } finally {
    await orphan.stop();
  }
}

test("the READMEs' install commands are the ones tested here", () => {
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  assert.deepEqual(installCommands(), [
    'npm run build',
    'npm install /path/to/jwtward/pkg',
    'npm pack /path/to/jwtward/pkg',
    `npm install ./jwtward-${version}.tgz`,
  ]);
  // `npm run build` is what built the package under test (the build stage runs it before the
  // tests; running it again here would take minutes): it is the root script that runs the build.
  const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts;
  assert.match(scripts.build, /node scripts\/build\.mjs$/);
});

test("README: installed from the checkout (npm install <checkout>/pkg), the Node service verifies a real issuer's tokens", { timeout: 120_000 }, async () => {
  const dir = serviceProject('folder');
  runCommand(installCommands()[1], dir);
  await exerciseService(dir);
});

test("README: installed from the tarball of npm pack, the Node service verifies a real issuer's tokens", { timeout: 120_000 }, async () => {
  const dir = serviceProject('tarball');
  for (const command of installCommands().slice(2)) runCommand(command, dir);
  assert.ok(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies.jwtward.startsWith('file:jwtward-'));
  await exerciseService(dir);
});
