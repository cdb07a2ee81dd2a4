// Test helper: a temporary project outside the repository with the packed package installed by
// name from its tarball (`npm pack` + `npm install <tgz>`), as a user would get it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const pkgDir = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const bin = (name) => join(repoRoot, 'node_modules', '.bin', name);

/** `npm pack` of pkg/ into `dir`; returns { tarball, files } (files: paths inside the package). */
export function pack(dir) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: pkgDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(out);
  return { tarball: join(dir, info.filename), files: info.files.map((f) => f.path).sort(), size: info.size };
}

/**
 * A fresh project in the OS temp folder (never inside the repository, so nothing resolves
 * through the repository's node_modules) with jwtward installed from a packed tarball.
 * `files` maps file names to contents. Returns { dir, packed, cleanup }.
 */
export function makeProject(prefix, files = {}, packageJson = {}) {
  const dir = mkdtempSync(join(tmpdir(), `jwtward-${prefix}-`));
  const packed = pack(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-${prefix}`, version: '1.0.0', private: true, ...packageJson }, null, 2),
  );
  // --offline: the tarball has no dependencies; nothing may come from the network.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', packed.tarball], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const installed = JSON.parse(readFileSync(join(dir, 'node_modules', 'jwtward', 'package.json'), 'utf8'));
  if (installed.name !== 'jwtward') throw new Error('jwtward is not installed in the test project');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, packed, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `wrangler deploy --dry-run` of the Worker project in `dir` (the bundle a user would upload, in
 * `dir`/out); returns the Miniflare options that run exactly those modules in real workerd (the
 * bundle and its .wasm), to which a test adds its bindings.
 */
export function workerdBundle(dir) {
  execFileSync(bin('wrangler'), ['deploy', '--dry-run', '--outdir', 'out'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: 'pipe',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
  });
  const out = join(dir, 'out');
  return {
    modulesRoot: out,
    modules: [
      { type: 'ESModule', path: join(out, 'index.js') },
      ...readdirSync(out)
        .filter((f) => f.endsWith('.wasm'))
        .map((f) => ({ type: 'CompiledWasm', path: join(out, f) })),
    ],
    compatibilityDate: '2025-01-01',
  };
}
