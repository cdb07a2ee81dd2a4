#!/usr/bin/env node
// `npm run build`: builds the npm package in pkg/ from scratch.
//
//   1. cargo rustc --lib --crate-type cdylib --target wasm32-unknown-unknown --features wasm
//      (every algorithm) twice, from the same source: --profile wasm-release (opt-level "z",
//      for the edge's size budget) and --profile wasm-speed (opt-level 3, for Node, which loads
//      its module from disk).
//   2. wasm-bindgen: `web` glue (ES module, for browsers and workerd) of the small module,
//      `nodejs` glue (CommonJS, loads the .wasm synchronously, so Node needs no init call) of the
//      fast one: pkg/dist/jwtward_bg.wasm and pkg/dist/node/jwtward_bg.wasm.
//   3. wasm-opt (-Oz and -O3) from the npm package binaryen (Debian's binaryen produces modules
//      that fail to load), with exactly the features the module declares, then a load check.
//   4. the CommonJS copy of pkg/src/api.js and the modules it imports (errors.js, keys/), and of
//      the type declarations; the licence texts copied into pkg/ for the tarball.
//   5. sizes, raw and gzipped, against the 150 KiB gzip budget.
//
// Generated files go to pkg/dist/ (git-ignored). The trimmed builds' sizes: scripts/size.mjs.
// Requires what scripts/setup.sh installs. CARGO_TARGET_DIR is honoured.

import { buildVendor } from '../www/build.mjs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const pkgDir = join(root, 'pkg');
export const distDir = join(pkgDir, 'dist');
export const targetDir = process.env.CARGO_TARGET_DIR
  ? resolve(process.env.CARGO_TARGET_DIR)
  : join(root, 'target');
export const GZIP_BUDGET = 150 * 1024;
export const LICENSES = ['LICENSE-MIT', 'LICENSE-APACHE'];
const PROFILE = 'wasm-release';
const NODE_PROFILE = 'wasm-speed';

const wasmOptBin = join(root, 'node_modules', '.bin', 'wasm-opt');
const cargoBin = join(homedir(), '.cargo', 'bin');
const childEnv = {
  ...process.env,
  // A fresh shell may not have ~/.cargo/bin on PATH (setup.sh installs there).
  PATH: process.env.PATH?.split(delimiter).includes(cargoBin)
    ? process.env.PATH
    : `${cargoBin}${delimiter}${process.env.PATH ?? ''}`,
};

export function log(message) {
  console.log(`build: ${message}`);
}

/** Runs a command, streaming its output; throws with the command line when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    env: options.env ? { ...childEnv, ...options.env } : childEnv,
    stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
  });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    if (options.capture) process.stderr.write(result.stderr);
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
  }
  return result.stdout;
}

/**
 * cargo build of the wasm module with the given feature list; returns the path of the raw .wasm.
 * @param {string[]} features e.g. ['wasm'] (defaults on) or ['wasm', 'hmac'] with noDefault
 */
export function cargoBuild(features, { noDefault = false, profile = PROFILE } = {}) {
  // The crate is an rlib (so that no_std targets need no allocator); the cdylib is asked for here.
  // Profile wasm-release (Cargo.toml): release with opt-level "z", for the size budget.
  const args = ['rustc', '--lib', '--crate-type', 'cdylib', '--profile', profile, '--target', 'wasm32-unknown-unknown'];
  if (noDefault) args.push('--no-default-features');
  args.push('--features', features.join(','));
  // The edge module's SHA-2 is sha2's compact (looped) form: 4.4 KiB gzipped smaller than the
  // unrolled one, for ~6 % more instructions on an HS256 token and ~25 % on the hash alone (the
  // Node module, where size matters little, keeps the unrolled form). Each profile has its own
  // build directory, so the two flag sets never rebuild each other's dependencies.
  const env = profile === PROFILE ? { RUSTFLAGS: `${process.env.RUSTFLAGS ?? ''} --cfg sha2_backend_soft="compact"`.trim() } : {};
  log(`cargo ${args.join(' ')}${env.RUSTFLAGS ? ` (RUSTFLAGS=${env.RUSTFLAGS})` : ''}`);
  run('cargo', args, { env });
  const wasm = join(targetDir, 'wasm32-unknown-unknown', profile, 'jwtward.wasm');
  if (!existsSync(wasm)) throw new Error(`cargo did not produce ${wasm}`);
  return wasm;
}

/** wasm-bindgen of `input` for one target into `outDir` (JS glue + jwtward_bg.wasm). */
export function wasmBindgen(input, target, outDir) {
  const wanted = lockedWasmBindgenVersion();
  const have = run('wasm-bindgen', ['--version'], { capture: true }).trim().split(' ')[1];
  if (have !== wanted) {
    throw new Error(
      `wasm-bindgen ${have} on PATH, Cargo.lock pins ${wanted}: run scripts/setup.sh`,
    );
  }
  run('wasm-bindgen', [
    '--target',
    target,
    '--out-dir',
    outDir,
    '--out-name',
    'jwtward',
    '--no-typescript',
    input,
  ]);
  return join(outDir, 'jwtward_bg.wasm');
}

function lockedWasmBindgenVersion() {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const match = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/);
  if (!match) throw new Error('no wasm-bindgen in Cargo.lock');
  return match[1];
}

/**
 * wasm-opt -Oz with the features the module declares in its target_features section (rustc's
 * defaults for wasm32 include bulk-memory, reference-types, multivalue, ...; binaryen refuses
 * or mis-optimises a module whose features it was not told about). Results are cached by the
 * hash of input + flags + wasm-opt version, because -Oz takes a minute or more on this module.
 */
export function wasmOpt(input, output, level = '-Oz') {
  if (!existsSync(wasmOptBin)) {
    throw new Error(`${wasmOptBin} missing: run scripts/setup.sh (npm package binaryen)`);
  }
  const features = run(wasmOptBin, [input, '--print-features'], { capture: true })
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('--enable-'));
  const version = run(wasmOptBin, ['--version'], { capture: true }).trim();
  // --converge repeats -Oz while it still shrinks the module; --zero-filled-memory is sound
  // because the module defines its own memory (fresh, zeroed) rather than importing one;
  // --ignore-implicit-traps is sound for Rust output, which never relies on a load, store or
  // division trapping (indexing and division by zero are checked before, in the code itself).
  const flags = [
    level,
    // Repeating -O3 gains nothing measurable and takes minutes.
    ...(level === '-Oz' ? ['--converge'] : []),
    '--zero-filled-memory',
    '--ignore-implicit-traps',
    ...features,
    '--strip-debug',
    '--strip-producers',
    '--strip-target-features',
  ];
  const key = createHash('sha256')
    .update(readFileSync(input))
    .update(JSON.stringify([flags, version]))
    .digest('hex');
  const cacheDir = join(targetDir, 'jwtward-wasm-opt-cache');
  const cached = join(cacheDir, `${key}.wasm`);
  if (existsSync(cached)) {
    log(`wasm-opt: cached result for this input (${key.slice(0, 12)})`);
  } else {
    log(`${version}: wasm-opt ${flags.join(' ')}`);
    mkdirSync(cacheDir, { recursive: true });
    // A private temporary name, renamed (atomically) only when complete: concurrent builds
    // sharing the target folder never see a partial file.
    const partial = `${cached}.${process.pid}.partial`;
    run(wasmOptBin, [input, ...flags, '-o', partial]);
    renameSync(partial, cached);
  }
  copyFileSync(cached, output);
  return output;
}

/**
 * Raw and gzipped size. `gzip` is GNU gzip -9 (the reference deflate, what `gzip -9 file` and
 * most servers' static gzip produce); `zlib` is Node's zlib at level 9, whose deflate (Chromium's
 * fork) comes out ~1% larger on this module. Without GNU gzip, `gzip` falls back to zlib's size.
 */
export function sizeOf(file) {
  const bytes = readFileSync(file);
  const zlib = gzipSync(bytes, { level: 9 }).length;
  const gnu = spawnSync('gzip', ['-9', '-n', '-c', file], { maxBuffer: 64 * 1024 * 1024 });
  const gzip = gnu.status === 0 && gnu.stdout.length > 0 ? gnu.stdout.length : zlib;
  return { raw: bytes.length, gzip, zlib };
}

export function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Replaces `from` (which must occur exactly once) by `to`: generated glue must not drift silently. */
function patchOnce(text, from, to, what) {
  const count = text.split(from).length - 1;
  if (count !== 1) {
    throw new Error(`${what}: expected one occurrence of ${JSON.stringify(from)}, found ${count}`);
  }
  return text.replace(from, to);
}

function writeGlue(tmp) {
  // The small module lives in dist/, one level above the web glue (dist/web/), where the
  // Worker's `import ... from '../dist/jwtward_bg.wasm'` and bundlers find it; the Node module
  // sits beside its glue (dist/node/), where the glue looks for it.
  let web = readFileSync(join(tmp, 'web', 'jwtward.js'), 'utf8');
  web = patchOnce(
    web,
    "new URL('jwtward_bg.wasm', import.meta.url)",
    "new URL('../jwtward_bg.wasm', import.meta.url)",
    'web glue',
  );
  const node = readFileSync(join(tmp, 'node', 'jwtward.js'), 'utf8');
  if (!node.includes('`${__dirname}/jwtward_bg.wasm`')) {
    throw new Error('node glue: it no longer loads jwtward_bg.wasm from its own folder');
  }
  for (const [name, text] of [
    ['web', web],
    ['node', node],
  ]) {
    mkdirSync(join(distDir, name), { recursive: true });
    // No .d.ts is generated (the package's own index.d.ts describes the public API).
    writeFileSync(join(distDir, name, 'jwtward.js'), text.replace(/^\/\* @ts-self-types=.*\n/, ''));
  }
  // pkg/ is "type": "module"; the nodejs glue and api.cjs are CommonJS.
  writeFileSync(join(distDir, 'node', 'package.json'), '{\n  "type": "commonjs"\n}\n');
}

// The ES modules Node loads through CommonJS (node.cjs requires dist/node/api.cjs): the API and
// everything it imports, and the guard and its adapters (the package's `jwtward/guard`,
// `jwtward/express`, ... resolve to these copies in Node, for `import` and `require` alike, so both
// share one instance), at the same relative paths under dist/node/. Files named *.workerd.js are
// workerd-only entries (they import cloudflare:workers): no copy.
export function nodeModules() {
  const dir = (name) => readdirSync(join(pkgDir, 'src', name)).filter((f) => f.endsWith('.js') && !f.endsWith('.workerd.js')).sort().map((f) => `${name}/${f}`);
  return ['api.js', 'binding.js', 'errors.js', ...dir('keys'), ...dir('guard'), ...dir('adapters')];
}

/**
 * The CommonJS copy of one of those modules. Their syntax is restricted so that this stays a
 * rewrite of two line shapes, checked: `import { a, b } from './x.js';` becomes
 * `const { a, b } = require('./x.cjs');` (and `from 'jwtward'`, the guard's import of the package's
 * own entry, `require('jwtward')`) and the one `export { ... };` at the end becomes
 * `module.exports = { ... };`. Anything else that imports or exports fails the build.
 */
export function toCommonJs(source, file) {
  let cjs = source
    .replace(
      /^import \{([^}]+)\} from '(\.{1,2}\/[^']+)\.js';$/gm,
      (_, names, path) => `const {${names.replace(/\s+as\s+/g, ': ')}} = require('${path}.cjs');`,
    )
    .replace(
      /^import \{([^}]+)\} from 'jwtward';$/gm,
      (_, names) => `const {${names.replace(/\s+as\s+/g, ': ')}} = require('jwtward');`,
    );
  const exports = cjs.match(/\nexport \{([^}]+)\};\n$/);
  if (exports === null) throw new Error(`pkg/src/${file}: must end with one \`export { ... };\` line`);
  cjs = `${cjs.slice(0, exports.index)}\nmodule.exports = {${exports[1]}};\n`;
  if (/^\s*(export|import)\s/m.test(cjs)) {
    throw new Error(`pkg/src/${file}: only \`import { ... } from './x.js';\` lines and a last \`export { ... };\` line are allowed`);
  }
  return `// Generated by scripts/build.mjs from pkg/src/${file}: do not edit.\n'use strict';\n${cjs}`;
}

export function writeCommonJsApi() {
  for (const file of nodeModules()) {
    const target = join(distDir, 'node', file.replace(/\.js$/, '.cjs'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, toCommonJs(readFileSync(join(pkgDir, 'src', file), 'utf8'), file));
  }
  // TypeScript needs a .d.cts for `require` under "type": "module".
  copyFileSync(join(pkgDir, 'index.d.ts'), join(distDir, 'index.d.cts'));
}

/** The licence texts at the root of the repository, also at the root of the package (npm pack). */
function copyLicenses() {
  for (const name of LICENSES) copyFileSync(join(root, name), join(pkgDir, name));
}

/** Loads the built package in fresh Node processes: both glues, both module systems. */
function loadCheck() {
  // HS256 token over {"sub":"x"} with the secret of the JWK below (32 bytes of 0x61).
  const script = `
    const assert = require('node:assert');
    const { Verifier, RemoteJwks, decode, JwtError } = require(${JSON.stringify(join(pkgDir, 'src', 'node.cjs'))});
    assert.strictEqual(typeof RemoteJwks, 'function');
    assert.deepStrictEqual(decode('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.').payload, { sub: 'x' });
    try { decode('x'); assert.fail('decode accepted garbage'); }
    catch (e) { assert.ok(e instanceof JwtError && e.code === 'ERR_JWT_MALFORMED', String(e)); }
    const v = new Verifier({ jwks: { keys: [] } });
    v.free();
    import(${JSON.stringify(pathToFileURL(join(distDir, 'web', 'jwtward.js')).href)}).then((web) => {
      web.initSync({ module: require('node:fs').readFileSync(${JSON.stringify(join(distDir, 'jwtward_bg.wasm'))}) });
      const text = web.decodeToken(new TextEncoder().encode('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'));
      assert.strictEqual(JSON.parse(text).payload.sub, 'x');
      return import(${JSON.stringify(pathToFileURL(join(pkgDir, 'src', 'node.mjs')).href)});
    }).then((esm) => {
      assert.strictEqual(esm.JwtError, JwtError, 'import and require must share one instance');
      assert.strictEqual(esm.RemoteJwks, RemoteJwks, 'import and require must share one instance');
      console.log('build: load check passed (node glue via require and import, web glue via initSync)');
    }).catch((e) => { console.error(e); process.exit(1); });
  `;
  run(process.execPath, ['-e', script]);
}

export function buildPackage() {
  const started = Date.now();
  // No `std` feature: it only adds std::error::Error impls and serde_json's io support, which the
  // bindings never use and which cost module size.
  const features = ['wasm', 'hmac', 'rsa', 'ecdsa', 'eddsa'];
  const raw = cargoBuild(features, { noDefault: true });
  // Node's module, where size matters little, keeps Ed25519's precomputed tables (`eddsa-tables`
  // in Cargo.toml: ~6% faster Ed25519, 7.4 KiB gzipped that the edge module's budget cannot take).
  const rawFast = cargoBuild([...features, 'eddsa-tables'], { noDefault: true, profile: NODE_PROFILE });
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(join(distDir, 'node'), { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'jwtward-build-'));
  try {
    log('wasm-bindgen --target web (opt-level "z") and --target nodejs (opt-level 3)');
    const webWasm = wasmBindgen(raw, 'web', join(tmp, 'web'));
    const nodeWasm = wasmBindgen(rawFast, 'nodejs', join(tmp, 'node'));
    const bgSize = sizeOf(webWasm);
    wasmOpt(webWasm, join(distDir, 'jwtward_bg.wasm'));
    wasmOpt(nodeWasm, join(distDir, 'node', 'jwtward_bg.wasm'), '-O3');
    writeGlue(tmp);
    writeCommonJsApi();
    copyLicenses();
    loadCheck();

    const size = sizeOf(join(distDir, 'jwtward_bg.wasm'));
    const nodeSize = sizeOf(join(distDir, 'node', 'jwtward_bg.wasm'));
    const glue = {
      web: sizeOf(join(distDir, 'web', 'jwtward.js')),
      node: sizeOf(join(distDir, 'node', 'jwtward.js')),
      api: sizeOf(join(pkgDir, 'src', 'api.js')),
      keys: readdirSync(join(pkgDir, 'src', 'keys')).reduce((sum, f) => sum + sizeOf(join(pkgDir, 'src', 'keys', f)).gzip, 0),
    };
    writeFileSync(
      join(distDir, 'build-info.json'),
      `${JSON.stringify({ features, wasmBeforeOpt: bgSize, wasm: size, nodeWasm: nodeSize, glue }, null, 2)}\n`,
    );
    log(`wasm before wasm-opt: ${kib(bgSize.raw)} raw, ${kib(bgSize.gzip)} gzipped`);
    log(
      `pkg/dist/jwtward_bg.wasm: ${size.raw} bytes (${kib(size.raw)}) raw, ${size.gzip} bytes ` +
        `(${kib(size.gzip)}) gzip -9, ${kib(size.zlib)} with Node's zlib`,
    );
    log(`pkg/dist/node/jwtward_bg.wasm (Node, opt-level 3): ${kib(nodeSize.raw)} raw, ${kib(nodeSize.gzip)} gzipped`);
    log(`JS: web glue ${kib(glue.web.gzip)}, node glue ${kib(glue.node.gzip)}, api ${kib(glue.api.gzip)}, keys/ ${kib(glue.keys)} gzipped (file by file)`);
    if (size.gzip > GZIP_BUDGET) {
      throw new Error(`the wasm is ${kib(size.gzip)} gzipped, over the ${kib(GZIP_BUDGET)} budget`);
    }
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s (budget ${kib(GZIP_BUDGET)} gzipped: ok)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  try {
    buildPackage();
    // The inspector page (www/) loads the browser build from its own vendor/ copy, so that it
    // also works as plain static files.
    buildVendor();
  } catch (error) {
    console.error(`build: FAILED: ${error.message}`);
    process.exit(1);
  }
}
