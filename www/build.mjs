// Copies the jwtward package's browser build into www/vendor/jwtward/ so the inspector page can be
// served as plain static files (by `npm start`, or by any static server) with no bundler.
//
// It starts from the browser entry named by pkg/package.json (the `browser` condition of
// `exports['.']`), copies that file and every file it reaches through relative imports and
// `new URL('…', import.meta.url)` (the wasm-bindgen glue and the .wasm), keeping their paths
// relative to pkg/ (under www/vendor/jwtward/pkg/), and writes www/vendor/jwtward/index.js, the one module the page imports.
//
// Usage: node www/build.mjs   (after `node scripts/build.mjs` has built pkg/)

import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The browser entry's path inside the package, from its exports map (or `browser` field). */
export function browserEntry(manifest) {
  const pick = (target) => {
    if (typeof target === 'string') return target;
    if (!target || typeof target !== 'object') return null;
    for (const condition of ['browser', 'import', 'default']) {
      if (condition in target) {
        const found = pick(target[condition]);
        if (found) return found;
      }
    }
    return null;
  };
  const root = manifest.exports?.['.'] ?? manifest.exports;
  const fromExports = root && typeof root === 'object' && 'browser' in root ? pick(root.browser) : null;
  const fromField = typeof manifest.browser === 'string' ? manifest.browser : null;
  return fromExports ?? fromField;
}

/**
 * Relative specifiers a module reaches: static and dynamic imports and re-exports (`module`), and
 * asset URLs (`asset`, e.g. the .wasm).
 */
function referencedFiles(code) {
  // Comments first: JSDoc types like `import('../index.js').Options` are not imports.
  const source = code.replace(
    /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
    (match, string) => string ?? '',
  );
  const found = new Map();
  const patterns = [
    ['module', /\bimport\s+(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g],
    ['module', /\bexport\s+[^'";]*?\s+from\s+['"](\.{1,2}\/[^'"]+)['"]/g],
    ['module', /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g],
    ['asset', /new\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g],
  ];
  for (const [kind, pattern] of patterns) {
    for (const match of source.matchAll(pattern)) if (!found.has(match[1])) found.set(match[1], kind);
  }
  return [...found];
}

/**
 * Copies the browser build of the package at `pkgDir` into `outDir`. Returns the copied paths
 * (relative to the package). Throws with a clear message when the package is not built.
 */
export function buildVendor({ pkgDir = resolve(here, '../pkg'), outDir = resolve(here, 'vendor/jwtward') } = {}) {
  const manifestPath = join(pkgDir, 'package.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: is this the jwtward checkout?`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = browserEntry(manifest);
  if (!entry) {
    throw new Error('pkg/package.json names no browser entry (exports["."].browser): build the package first (node scripts/build.mjs).');
  }

  const copied = [];
  const queue = [[resolve(pkgDir, entry), 'module']];
  const seen = new Set();
  while (queue.length) {
    const [file, kind] = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const inside = relative(pkgDir, file);
    if (inside.startsWith('..') || inside.startsWith(sep)) throw new Error(`the browser build reaches outside pkg/: ${file}`);
    if (!existsSync(file)) {
      // wasm-bindgen's glue names a default .wasm next to itself; the package passes its own
      // location to init instead, so a missing asset is only fatal if no .wasm is found at all.
      if (kind === 'asset') continue;
      throw new Error(`pkg/${inside} is missing: build the package first (node scripts/build.mjs).`);
    }
    copied.push(inside);
    if (/\.(m?js)$/.test(file)) {
      for (const [spec, refKind] of referencedFiles(readFileSync(file, 'utf8'))) {
        if (/^[a-z]+:/i.test(spec)) continue; // absolute URLs are not files of the package
        queue.push([resolve(dirname(file), spec), refKind]);
      }
    }
  }
  if (!copied.some((file) => file.endsWith('.wasm'))) {
    throw new Error('the browser build names no .wasm file that exists: build the package first (node scripts/build.mjs).');
  }

  rmSync(outDir, { recursive: true, force: true });
  for (const inside of copied) {
    // Under pkg/, so a package entry named index.js can't collide with the generated index.js.
    const target = join(outDir, 'pkg', inside);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(pkgDir, inside), target);
  }
  const entryPath = `./pkg/${relative(pkgDir, resolve(pkgDir, entry)).split(sep).join('/')}`;
  writeFileSync(join(outDir, 'index.js'), [
    '// Generated by www/build.mjs: the jwtward browser entry, as the inspector page imports it.',
    `export * from '${entryPath}';`,
    `export const version = ${JSON.stringify(String(manifest.version ?? ''))};`,
    '',
  ].join('\n'));
  return copied;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const copied = buildVendor();
    console.log(`www/vendor/jwtward: ${copied.length} files from pkg/ (${copied.join(', ')})`);
  } catch (error) {
    console.error(`www/build.mjs: ${error.message}`);
    process.exit(1);
  }
}
