#!/usr/bin/env node
// Size report of the npm package's WebAssembly: the full build (every algorithm, what pkg/ ships)
// and the trimmed builds a user could make with cargo features (one algorithm family each).
// Each is built like scripts/build.mjs builds the package (profile wasm-release, wasm-bindgen
// --target web, wasm-opt -Oz) into a temporary folder; nothing here is shipped.
//
//   node scripts/size.mjs [--json <file>]
//
// Prints raw and gzipped sizes, fails when the full build is over the 150 KiB gzip budget.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GZIP_BUDGET, cargoBuild, kib, sizeOf, wasmBindgen, wasmOpt } from './build.mjs';

const VARIANTS = [
  // What pkg/ ships (scripts/build.mjs buildPackage): every algorithm, without `std` and without
  // Ed25519's precomputed tables.
  { name: 'full (every algorithm)', features: ['wasm', 'hmac', 'rsa', 'ecdsa', 'eddsa'], noDefault: true },
  { name: 'HMAC only (HS*)', features: ['wasm', 'hmac'], noDefault: true },
  { name: 'RSA only (RS*, PS*)', features: ['wasm', 'rsa'], noDefault: true },
  { name: 'ECDSA only (ES*)', features: ['wasm', 'ecdsa'], noDefault: true },
  { name: 'EdDSA only (EdDSA, Ed25519)', features: ['wasm', 'eddsa'], noDefault: true },
];

function main() {
  const jsonAt = process.argv.indexOf('--json');
  const jsonFile = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'jwtward-size-'));
  const rows = [];
  try {
    for (const variant of VARIANTS) {
      const raw = cargoBuild(variant.features, { noDefault: variant.noDefault });
      const dir = join(tmp, rows.length.toString());
      const bound = wasmBindgen(raw, 'web', dir);
      const optimized = wasmOpt(bound, join(dir, 'opt.wasm'));
      rows.push({ ...variant, ...sizeOf(optimized) });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log('\njwtward .wasm after wasm-opt -Oz (cargo features; profile wasm-release)');
  console.log(`${'build'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip -9'.padStart(10)}  ${'Node zlib'.padStart(10)}`);
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(width)}  ${kib(row.raw).padStart(10)}  ${kib(row.gzip).padStart(10)}  ${kib(row.zlib).padStart(10)}`,
    );
  }
  if (jsonFile) {
    writeFileSync(jsonFile, `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`written to ${jsonFile}`);
  }
  const full = rows[0];
  if (full.gzip > GZIP_BUDGET) {
    console.error(`size: FAILED: the full build is ${kib(full.gzip)} gzipped, over the ${kib(GZIP_BUDGET)} budget`);
    process.exit(1);
  }
  console.log(`full build within the ${kib(GZIP_BUDGET)} gzip budget`);
}

try {
  main();
} catch (error) {
  console.error(`size: FAILED: ${error.message}`);
  process.exit(1);
}
