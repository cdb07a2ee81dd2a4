// The audit line's writer and record: jsonLines batches complete JSON lines, one write per turn of
// the event loop; a request record lists its fields in the documented order, never the engine's clock.
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { test } from 'node:test';
import { jsonLines } from 'jwtward/guard';
import { auditRecord } from '../../src/guard/log.js';

test('jsonLines writes the records of one turn in one write, each a complete JSON line', async () => {
  const writes = [];
  const log = jsonLines((text) => writes.push(text));
  log({ event: 'request', n: 1 });
  log({ event: 'request', n: 2, note: 'line\nbreak "quoted"' });
  assert.deepEqual(writes, [], 'nothing written before the turn ends');
  await turn();
  assert.equal(writes.length, 1);
  const lines = writes[0].split('\n');
  assert.equal(lines.pop(), '', 'ends with a newline');
  assert.deepEqual(lines.map((line) => JSON.parse(line)), [{ event: 'request', n: 1 }, { event: 'request', n: 2, note: 'line\nbreak "quoted"' }]);
  log({ event: 'request', n: 3 });
  await turn();
  assert.equal(writes.length, 2);
  assert.deepEqual(JSON.parse(writes[1]), { event: 'request', n: 3 });
  assert.throws(() => jsonLines('stdout'), TypeError);
});

test('a request record: ts first, the documented order, no started, values clipped', () => {
  const record = auditRecord({ latency_ms: 3, kid: 'k'.repeat(200), started: 1, event: 'request', decision: 'allow', method: 'GET', extra: 'x', status: undefined });
  assert.deepEqual(Object.keys(record), ['ts', 'event', 'method', 'decision', 'kid', 'latency_ms', 'extra']);
  assert.match(record.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(record.kid, `${'k'.repeat(128)}...`);
});
