// What the Express and Fastify adapters share: Node's IncomingMessage in (method, URL, headers as the
// engine reads them, and the transport: the origin the client addressed and the TLS client
// certificate), the engine's answer or decision out (to the ServerResponse, or onto the request the
// application's handlers then read). No framework is imported: both frameworks hand their middleware
// Node's own request and response objects.

import { errorAnswer } from '../guard/responses.js';
import { QUERY_PARAMETER } from '../guard/token.js';

/**
 * The engine's view of a Node request: its URL (dot segments resolved by the URL parser, as in a
 * Worker) and its headers, read from `rawHeaders` so that a header sent twice is seen twice (Node keeps
 * only the first `Authorization` in `req.headers`): values of one name joined by ", " ("; " for
 * Cookie), as fetch's Headers join them. Not a Headers object: the three methods the engine reads, over
 * lower-case names, without building one per request.
 * @param {import('node:http').IncomingMessage} req
 * @param {string} target the request target: `req.originalUrl` (Express) or `req.url`
 * @returns {{ url: URL, headers: { get(name: string): string | null, has(name: string): boolean,
 *   keys(): Iterable<string> } } | null} null for a target the URL parser refuses
 */
function requestView(req, target) {
  let url;
  try {
    // Concatenated, not resolved against a base: "//host/path" is a path here, as for the frameworks,
    // never a URL on another host.
    url = target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target);
  } catch {
    return null;
  }
  const values = new Map();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const list = values.get(name);
    if (list) list.push(raw[i + 1]);
    else values.set(name, [raw[i + 1]]);
  }
  const headers = {
    get: (name) => values.get(name)?.join(name === 'cookie' ? '; ' : ', ') ?? null,
    has: (name) => values.has(name),
    keys: () => values.keys(),
  };
  return { url, headers };
}

// A Host header that is a host[:port] (RFC 9110 §7.2): a name or IPv4 address, or an IPv6 literal.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/**
 * The transport of a Node request (sender.js): what the connection says.
 *   origin       the origin the client addressed, as Node can tell: an absolute-form request target's
 *                own (RFC 9112 §3.2.2), else `https` on a TLS socket (`http` otherwise) and the Host
 *                header; null for a Host that is not a host[:port]. Behind a reverse proxy that is the
 *                proxy's view: the policy's `dpop.publicOrigin` then says what clients address
 *   certificate  the TLS client certificate (`socket.getPeerCertificate().raw`, DER), verified when
 *                the server checked it against its CAs (`socket.authorized`); null over plain HTTP or
 *                when the client sent none
 */
const NODE_TRANSPORT = Object.freeze({
  origin(req, url) {
    const target = req.originalUrl ?? req.url;
    if (!target.startsWith('/')) return url.origin;
    const host = req.headers.host;
    return typeof host === 'string' && HOST.test(host) ? `${req.socket?.encrypted ? 'https' : 'http'}://${host.toLowerCase()}` : null;
  },
  certificate: (req) => nodeCertificate(req.socket),
});

/**
 * The client certificate of a Node TLS socket (a `tls.TLSSocket`, or the socket of an https or
 * http2 server's request), or null.
 * @param {import('node:tls').TLSSocket | undefined} socket
 */
function nodeCertificate(socket) {
  if (!socket?.encrypted || typeof socket.getPeerCertificate !== 'function') return null;
  const raw = socket.getPeerCertificate()?.raw;
  return raw instanceof Uint8Array && raw.length > 0 ? { verified: socket.authorized === true, der: raw } : null;
}

/** The answer for a request target the engine cannot read. */
function unreadableRequest() {
  return errorAnswer(400, 'invalid_request', 'ERR_PATH_UNSAFE', 'the request target cannot be read');
}

/** `pathname?search` of a URL: the request target the application sees after the guard. */
function targetOf(url) {
  return url.pathname + url.search;
}

/**
 * Takes a query token the guard removed from the URL (`url`, the decision's) out of the framework's
 * parsed copy of the query too: Express 4 and Fastify parse it before the guard runs.
 * @param {unknown} parsedQuery `req.query` / `request.query`
 * @param {URL} url
 */
function forgetQueryToken(parsedQuery, url) {
  if (parsedQuery !== null && typeof parsedQuery === 'object' && !url.searchParams.has(QUERY_PARAMETER)) delete parsedQuery[QUERY_PARAMETER];
}

/**
 * Puts an allowed decision's header changes onto the Node request the application reads:
 * `req.headers` and `req.rawHeaders` alike lose the spoofable headers and gain the verified identity.
 * @param {import('node:http').IncomingMessage} req
 * @param {{ changes: { remove: string[], set: Record<string, string> } }} decision
 */
function applyHeaders(req, { changes }) {
  const names = Object.keys(changes.set);
  if (changes.remove.length === 0 && names.length === 0) return;
  for (const name of changes.remove) delete req.headers[name];
  for (const name of names) req.headers[name] = changes.set[name];
  const replaced = new Set([...changes.remove, ...names]);
  const raw = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (!replaced.has(req.rawHeaders[i].toLowerCase())) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  for (const name of names) raw.push(name, changes.set[name]);
  req.rawHeaders = raw;
}

/** Writes one of the guard's own answers to a Node response and ends it. */
function writeAnswer(res, answer, method) {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(method === 'HEAD' || answer.body === null ? undefined : answer.body);
}

/** The headers of an allowed request (CORS, DPoP-Nonce), onto the response the application will write. */
function addResponseHeaders(setHeader, appendHeader, headers) {
  if (!headers) return;
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'vary') appendHeader(name, value);
    else setHeader(name, value);
  }
}

export { NODE_TRANSPORT, addResponseHeaders, applyHeaders, forgetQueryToken, nodeCertificate, requestView, targetOf, unreadableRequest, writeAnswer };
