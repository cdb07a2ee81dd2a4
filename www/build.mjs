// Copies the jwtward package's browser build into www/vendor/jwtward/ so the inspector page can be
// served as plain static files (by `npm start`, or by any static server) with no bundler; then
// assembles the DevTools extension (www/extension/) from the same files: www/extension/dist/ (load
// it unpacked) and www/extension/jwtward-devtools-<version>.zip.
//
// It starts from the browser entry named by pkg/package.json (the `browser` condition of
// `exports['.']`), copies that file and every file it reaches through relative imports and
// `new URL('…', import.meta.url)` (the wasm-bindgen glue and the .wasm), keeping their paths
// relative to pkg/ (under www/vendor/jwtward/pkg/), and writes www/vendor/jwtward/index.js, the one module the page imports.
//
// Usage: node www/build.mjs   (after `node scripts/build.mjs` has built pkg/, which also runs this)

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
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
 * Copies the browser build of the package at `pkgDir` into `outDir`, then (unless `extension` is
 * false) builds the DevTools extension from the page's files. Returns the copied paths (relative
 * to the package). Throws with a clear message when the package is not built.
 */
export function buildVendor({ pkgDir = resolve(here, '../pkg'), outDir = resolve(here, 'vendor/jwtward'), extension = true } = {}) {
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
  buildProviders({ outFile: join(dirname(outDir), 'providers.js') });
  if (extension) buildExtension({ version: String(manifest.version ?? '0.0.0') });
  return copied;
}

/**
 * Writes the policy form's identity-provider presets (www/vendor/providers.js) from the profiles
 * the tests verify (tests/fixtures/idp/profiles.json): one source, so a preset can't drift from
 * the policy its provider's tokens are tested with. Returns the presets.
 */
export function buildProviders({
  profilesPath = resolve(here, '../tests/fixtures/idp/profiles.json'), outFile = resolve(here, 'vendor/providers.js'),
} = {}) {
  const { profiles } = JSON.parse(readFileSync(profilesPath, 'utf8'));
  const presets = profiles.map(({ id, name, policy, provenance }) => ({ id, name, docs: provenance?.docs?.[0] ?? '', policy }));
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, [
    '// Generated by www/build.mjs from tests/fixtures/idp/profiles.json: the identity-provider presets',
    "// of the inspector's policy form (the policy each provider's fixture tokens are verified with).",
    `export const PROVIDERS = ${JSON.stringify(presets, null, 2)};`,
    '',
  ].join('\n'));
  return presets;
}

/** Files an HTML page loads: the relative `src` and `href` of its elements. */
function htmlReferences(html) {
  const found = [];
  for (const match of html.matchAll(/\s(?:src|href)="([^"#?:]+)"/g)) found.push(match[1]);
  return found;
}

/**
 * Builds the unpacked DevTools extension in `outDir` and its zip: the manifest of
 * www/extension/ (version from the package) at the root, and every file its pages reach (HTML
 * src/href, module imports, `new URL(…, import.meta.url)` assets: the panel's own files, the page's
 * view and styles, the vendored engine and its .wasm), at their paths under www/. Nothing is
 * listed by hand beyond the pages, so the extension can't miss or duplicate a file of the page.
 * Returns `{ files, zip }`.
 */
export function buildExtension({
  wwwDir = here, outDir = join(here, 'extension/dist'), version = '0.0.0',
  zipPath = join(here, `extension/jwtward-devtools-${version}.zip`),
} = {}) {
  const manifest = JSON.parse(readFileSync(join(wwwDir, 'extension/manifest.json'), 'utf8'));
  manifest.version = version;
  // The pages: the DevTools page the manifest names, and the panel page devtools.js creates.
  const roots = [manifest.devtools_page, 'extension/panel.html', ...Object.values(manifest.icons ?? {})];
  const files = [];
  const seen = new Set();
  const queue = roots.map((path) => [resolve(wwwDir, path), 'page']);
  while (queue.length) {
    const [file, kind] = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const inside = relative(wwwDir, file);
    if (inside.startsWith('..') || inside.startsWith(sep)) throw new Error(`the extension reaches outside www/: ${file}`);
    if (!existsSync(file)) {
      if (kind === 'asset') continue; // the glue's default .wasm name, as in buildVendor
      throw new Error(`www/${inside} is missing (an extension page or module refers to it): build the package first (node scripts/build.mjs)`);
    }
    files.push(inside);
    let refs = [];
    if (file.endsWith('.html')) refs = htmlReferences(readFileSync(file, 'utf8')).map((spec) => [spec, 'page']);
    else if (/\.m?js$/.test(file)) refs = referencedFiles(readFileSync(file, 'utf8'));
    for (const [spec, refKind] of refs) if (!/^[a-z]+:/i.test(spec)) queue.push([resolve(dirname(file), spec), refKind]);
  }
  if (!files.some((file) => file.endsWith('.wasm'))) throw new Error('the extension has no .wasm: build the package first (node scripts/build.mjs)');

  rmSync(outDir, { recursive: true, force: true });
  for (const inside of files) {
    mkdirSync(dirname(join(outDir, inside)), { recursive: true });
    copyFileSync(join(wwwDir, inside), join(outDir, inside));
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeZip(outDir, zipPath);
  return { files: ['manifest.json', ...files].sort(), zip: zipPath };
}

// ---------------------------------------------------------------- zip (stored + deflate, no dependency)

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function filesUnder(dir, prefix = '') {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

/**
 * Writes a zip of every file under `dir` (what Chrome Web Store and Firefox Add-ons take). Entries
 * are deflated, dated 1980-01-01 so the same files always give the same zip.
 */
export function writeZip(dir, zipPath) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const name of filesUnder(dir)) {
    const data = readFileSync(join(dir, name));
    const packed = deflateRawSync(data, { level: 9 });
    const deflated = packed.length < data.length;
    const body = deflated ? packed : data;
    const fileName = Buffer.from(name, 'utf8');
    const fields = (header) => {
      header.writeUInt16LE(20, header === local ? 4 : 6); // version needed: 2.0
      const at = header === local ? 6 : 8;
      header.writeUInt16LE(0x0800, at); // UTF-8 names
      header.writeUInt16LE(deflated ? 8 : 0, at + 2);
      header.writeUInt16LE(0, at + 4); // 00:00
      header.writeUInt16LE(0x21, at + 6); // 1980-01-01
      header.writeUInt32LE(crc32(data), at + 8);
      header.writeUInt32LE(body.length, at + 12);
      header.writeUInt32LE(data.length, at + 16);
      header.writeUInt16LE(fileName.length, at + 20);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by: 2.0
    fields(central);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, body);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(zipPath, Buffer.concat([...locals, directory, end]));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const copied = buildVendor({ extension: false });
    console.log(`www/vendor/jwtward: ${copied.length} files from pkg/ (${copied.join(', ')}); www/vendor/providers.js`);
    const { files, zip } = buildExtension({ version: JSON.parse(readFileSync(resolve(here, '../pkg/package.json'), 'utf8')).version });
    console.log(`www/extension/dist: ${files.length} files; ${relative(process.cwd(), zip)}: ${(statSync(zip).size / 1024).toFixed(1)} KiB`);
  } catch (error) {
    console.error(`www/build.mjs: ${error.message}`);
    process.exit(1);
  }
}
