// The package as a user gets it: `npm pack`, installed from the tarball into a temporary project
// outside the repository, used by name through ESM `import` and CJS `require` with no init call,
// and type-checked there (nodenext resolution picks index.d.ts for import, index.d.cts for require).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { bin, makeProject } from '../testkit/project.mjs';
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
  console.log(JSON.stringify({ sameJwtError: esm.JwtError === cjs.JwtError, sameVerifier: esm.Verifier === cjs.Verifier, sameClassCaught }));
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
export { tenant, exp, code };
`,
  'types.cts': `import { Verifier, JwtError, decode } from 'jwtward';
const verifier = new Verifier({ jwks: '{"keys":[]}', algorithms: ['ES256'] });
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
    'dist/node/package.json',
    'src/api.js',
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
  assert.deepEqual(node('dual.cjs'), { sameJwtError: true, sameVerifier: true, sameClassCaught: true });
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
