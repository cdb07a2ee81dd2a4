// The audit line: one JSON object per decision (and one per key fetch), handed to the guard's `log`
// hook. Default: none in Node, a console.log line in the Worker, which is what `wrangler tail`, Workers
// Logs and Logpush collect.
//
// The line is built from named fields only, never from headers or the raw request, so the token (and
// the query string, where a careless client might put one) cannot end up in it. Values that come from
// an unverified token (the kid of a rejected token) are cut short: a log line must stay a log line.

const MAX_FIELD = 128;

function clip(value) {
  if (typeof value === 'string') return value.length > MAX_FIELD ? `${value.slice(0, MAX_FIELD)}...` : value;
  if (Array.isArray(value)) return value.slice(0, 32).map(clip);
  return value;
}

// Request lines list their fields in this order, whatever order the pipeline filled them in.
const REQUEST_FIELDS = ['event', 'method', 'path', 'route', 'decision', 'status', 'code', 'sub', 'client_id', 'tenant', 'kid', 'binding', 'error', 'latency_ms'];
const REQUEST_FIELD_SET = new Set(REQUEST_FIELDS);

// `ts` of the records of one millisecond: formatting a date costs more than the rest of a record.
let stampedAt = Number.NaN;
let stamp = '';
function timestamp() {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = new Date(now).toISOString();
  }
  return stamp;
}

/**
 * The audit record of `fields` (a flat object; undefined fields and `started`, the engine's own
 * clock, are left out): `ts` first, then the request fields in their documented order, values
 * clipped.
 */
function auditRecord(fields) {
  const out = { ts: timestamp() };
  const ordered = fields.event === 'request';
  if (ordered) {
    for (const key of REQUEST_FIELDS) {
      if (fields[key] !== undefined) out[key] = clip(fields[key]);
    }
  }
  for (const key of Object.keys(fields)) {
    if (fields[key] !== undefined && key !== 'ts' && key !== 'started' && !(ordered && REQUEST_FIELD_SET.has(key))) out[key] = clip(fields[key]);
  }
  return out;
}

/** The Worker's default `log` hook: one JSON line on stdout per record. */
function consoleLog(record) {
  console.log(JSON.stringify(record));
}

// Where the runtime has it, after the I/O of this turn of the event loop; else the next timer.
const soon = typeof setImmediate === 'function' ? setImmediate : (fn) => setTimeout(fn, 0);

/**
 * A `log` hook that writes each record as one JSON line, the lines of one turn of the event loop in
 * one `write(text)` call (complete lines only). Why: `console.log` per request is one write system
 * call each (synchronous for files and pipes in Node), which under load cost more than the guard's
 * decision itself (about 25 to 40 us per request on the examples' development machine). A record is
 * written within that turn or the next; a process that dies in between loses those lines.
 * @param {(text: string) => void} write e.g. `(text) => process.stdout.write(text)`
 * @returns {(record: object) => void}
 */
function jsonLines(write) {
  if (typeof write !== 'function') throw new TypeError('jwtward guard: jsonLines(write) takes a function (text) => void');
  let pending = '';
  const flush = () => {
    const text = pending;
    pending = '';
    write(text);
  };
  return (record) => {
    if (pending === '') soon(flush);
    pending += `${JSON.stringify(record)}\n`;
  };
}

export { auditRecord, consoleLog, jsonLines };
