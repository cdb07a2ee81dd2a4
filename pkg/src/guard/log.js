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

/**
 * The audit record of `fields` (a flat object; undefined fields are left out): `ts` first, then the
 * request fields in their documented order, values clipped.
 */
function auditRecord(fields) {
  const out = { ts: new Date().toISOString() };
  const ordered = fields.event === 'request';
  if (ordered) {
    for (const key of REQUEST_FIELDS) {
      if (fields[key] !== undefined) out[key] = clip(fields[key]);
    }
  }
  for (const key of Object.keys(fields)) {
    if (fields[key] !== undefined && key !== 'ts' && !(ordered && REQUEST_FIELD_SET.has(key))) out[key] = clip(fields[key]);
  }
  return out;
}

/** The Worker's default `log` hook: one JSON line on stdout per record. */
function consoleLog(record) {
  console.log(JSON.stringify(record));
}

export { auditRecord, consoleLog };
