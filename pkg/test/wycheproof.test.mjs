// The shared Wycheproof-derived JWT cases (../shared/vectors/wycheproof-jwt-cases.jsonl, beside
// the repository) through the JavaScript API: the same verdicts as the Rust core's own run
// (tests/shared_vectors.rs), after the options went through the JS -> Policy conversion.
// `ambiguous` cases are reported, not failed; cases in tests/vectors/shared-cases-superseded.json
// are held to the verdict the contract gives them instead. Skipped, saying so, when the folder is
// absent.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { JwtError, Verifier } from 'jwtward';

const casesFile = fileURLToPath(
  new URL('../../../shared/vectors/wycheproof-jwt-cases.jsonl', import.meta.url),
);

/** id -> { expect, reason } of the cases whose verdict the contract changes (shared with the Rust run). */
const superseded = new Map(
  JSON.parse(readFileSync(new URL('../../tests/vectors/shared-cases-superseded.json', import.meta.url), 'utf8'))
    .cases.map((entry) => [entry.id, entry]),
);

/** The case's options, as a JS user would pass them. */
function verifierOptions(jwks, options) {
  const rename = { clockToleranceSeconds: 'clockTolerance', maxTokenAgeSeconds: 'maxTokenAge' };
  const out = { jwks };
  for (const [name, value] of Object.entries(options)) {
    if (name === 'now') continue;
    const jsName = rename[name] ?? name;
    if (!['algorithms', 'issuer', 'audience', 'subject', 'requiredScopes', 'requiredClaims', 'typ', 'clockTolerance', 'maxTokenAge'].includes(jsName)) {
      throw new Error(`the harness does not know option ${name}`);
    }
    out[jsName] = value;
  }
  return out;
}

function outcome(testCase) {
  let verifier;
  try {
    verifier = new Verifier(verifierOptions(testCase.jwks, testCase.options));
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    return { code: `config:${error.code}`, message: error.message };
  }
  // A JSON-serialization "token" (an object) is passed as its JSON text.
  const token = typeof testCase.token === 'string' ? testCase.token : JSON.stringify(testCase.token);
  try {
    verifier.verify(token, { now: testCase.options.now });
    return { code: 'valid' };
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    return { code: error.code.replace(/^ERR_JWT_/, '').toLowerCase(), message: error.message };
  } finally {
    verifier.free();
  }
}

test('shared Wycheproof JWT cases through the JavaScript API', (t) => {
  if (!existsSync(casesFile)) {
    t.skip(`skipping: ${casesFile} absent (the shared vectors live beside the repository)`);
    return;
  }
  const lines = readFileSync(casesFile, 'utf8').split('\n').filter((line) => line.trim());
  let passed = 0;
  let ambiguous = 0;
  const failures = [];
  let supersededSeen = 0;
  for (const line of lines) {
    const testCase = JSON.parse(line);
    const changed = superseded.get(testCase.id);
    if (changed !== undefined) {
      supersededSeen++;
      Object.assign(testCase, { expect: changed.expect, reason: changed.reason, alt_reasons: [] });
    }
    const accepted = [testCase.reason, ...(testCase.alt_reasons ?? [])].filter(Boolean);
    const got = outcome(testCase);
    const ok = testCase.expect === 'valid' ? got.code === 'valid' : accepted.includes(got.code);
    const expected = testCase.expect === 'valid' ? 'valid' : `invalid: ${accepted.join(' | ')}`;
    const gotText = got.code === 'valid' ? 'valid' : `${got.code} (${got.message})`;
    if (testCase.ambiguous) {
      ambiguous++;
      t.diagnostic(`ambiguous ${testCase.id}: expected ${expected}, got ${gotText} (${ok ? 'agrees' : 'differs'})`);
    } else if (ok) {
      passed++;
    } else {
      failures.push(`${testCase.id}: expected ${expected}, got ${gotText}`);
    }
  }
  t.diagnostic(`shared Wycheproof JWT cases: ${passed} passed / ${failures.length} failed / ${ambiguous} ambiguous`);
  assert.ok(lines.length > 0, 'the file holds cases');
  assert.equal(supersededSeen, superseded.size, 'every superseded case is in the shared file');
  assert.deepEqual(failures, []);
});
