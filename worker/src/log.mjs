// One structured JSON line per request (and one per JWKS event), on stdout through console.log, which
// is what `wrangler tail`, Workers Logs and Logpush collect.
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
const REQUEST_FIELDS = ['event', 'method', 'path', 'route', 'decision', 'status', 'code', 'sub', 'client_id', 'tenant', 'kid', 'jwks_refetched', 'error', 'latency_ms'];

/** Writes one JSON log line. `fields` is a flat object; undefined fields are left out. */
export function logLine(fields) {
  const out = { ts: new Date().toISOString() };
  const keys = fields.event === 'request' ? [...REQUEST_FIELDS, ...Object.keys(fields)] : Object.keys(fields);
  for (const key of keys) {
    if (fields[key] !== undefined && !(key in out)) out[key] = clip(fields[key]);
  }
  console.log(JSON.stringify(out));
}
