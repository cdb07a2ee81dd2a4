// What the Express and Fastify adapters share: Node's IncomingMessage in (method, URL, headers as the
// engine reads them), the engine's answer or decision out (to the ServerResponse, or onto the request
// the application's handlers then read). No framework is imported: both frameworks hand their
// middleware Node's own request and response objects.

import { errorAnswer } from '../guard/responses.js';

/**
 * The engine's view of a Node request: its URL (dot segments resolved by the URL parser, as in a
 * Worker) and its headers as fetch Headers, built from `rawHeaders` so that a header sent twice is
 * seen twice (Node keeps only the first `Authorization` in `req.headers`).
 * @param {import('node:http').IncomingMessage} req
 * @param {string} target the request target: `req.originalUrl` (Express) or `req.url`
 * @returns {{ url: URL, headers: Headers } | null} null for a target or a header fetch cannot carry
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
  const headers = new Headers();
  const raw = req.rawHeaders;
  try {
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  } catch {
    return null;
  }
  return { url, headers };
}

/** The answer for a request the engine cannot even read (an absolute-form target on another scheme, ...). */
function unreadableRequest() {
  return errorAnswer(400, 'invalid_request', 'ERR_PATH_UNSAFE', 'the request target or a header cannot be read');
}

/** `pathname?search` of a URL: the request target the application sees after the guard. */
function targetOf(url) {
  return url.pathname + url.search;
}

/**
 * Puts an allowed decision onto the Node request the application reads: headers without the spoofable
 * ones and with the verified identity (`req.headers` and `req.rawHeaders` alike), the Cookie without
 * the token cookie where the policy says so.
 * @param {import('node:http').IncomingMessage} req
 * @param {{ headers: Headers, identity: Record<string, string> }} decision
 */
function applyHeaders(req, decision) {
  const kept = decision.headers;
  for (const name of Object.keys(req.headers)) {
    if (!kept.has(name)) delete req.headers[name];
  }
  if (kept.has('cookie') && req.headers.cookie !== undefined) req.headers.cookie = kept.get('cookie');
  for (const [name, value] of Object.entries(decision.identity)) req.headers[name.toLowerCase()] = value;
  req.rawHeaders = Object.entries(req.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.flatMap((v) => [name, v]) : [name, value]));
}

/** Writes one of the guard's own answers to a Node response and ends it. */
function writeAnswer(res, answer, method) {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(method === 'HEAD' || answer.body === null ? undefined : answer.body);
}

/** The CORS headers of an allowed request, onto the response the application will write. */
function addCors(setHeader, appendHeader, cors) {
  if (!cors) return;
  for (const [name, value] of Object.entries(cors)) {
    if (name === 'vary') appendHeader(name, value);
    else setHeader(name, value);
  }
}

export { addCors, applyHeaders, requestView, targetOf, unreadableRequest, writeAnswer };
