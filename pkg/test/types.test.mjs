// TypeScript: `tsc --noEmit` (TypeScript 7, nodenext, strict, exactOptionalPropertyTypes) on a
// sample that uses every declaration precisely (pkg/testkit/types/sample.mts). Its
// `@ts-expect-error` lines make the check fail if the declarations become too loose.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { bin } from '../testkit/project.mjs';

test('index.d.ts: options, results, JwtError codes, explain (tsc --noEmit)', () => {
  const tsc = bin('tsc');
  assert.ok(existsSync(tsc), `${tsc} is required (root devDependency typescript)`);
  const version = execFileSync(tsc, ['--version'], { encoding: 'utf8' }).trim();
  assert.match(version, /^Version 7\./, 'TypeScript 7');
  const project = fileURLToPath(new URL('../testkit/types/tsconfig.json', import.meta.url));
  try {
    execFileSync(tsc, ['-p', project], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    assert.fail(`tsc reported errors:\n${error.stdout}${error.stderr}`);
  }
});
