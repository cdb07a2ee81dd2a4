// Test helper: the assertion every options and verdict test makes, that a call throws jwtward's own
// error (JwtError, with its stable code), never a TypeError or a crash.
import assert from 'node:assert/strict';
import { JwtError } from 'jwtward';

/** Calls fn, which must throw a JwtError; returns it. */
export function jwtError(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof JwtError, `expected a JwtError, got ${error?.stack ?? error}`);
    return error;
  }
  assert.fail('expected a JwtError, nothing was thrown');
}
