// Sender-constrained tokens in the guard (RFC 9449 DPoP, RFC 8705 mTLS): what a request presents
// beside its token, in the shape jwtward's verifyAsync takes (`{ scheme, dpop: { proof, method, url,
// nonce }, clientCertificate }`), and the nonces the server issues (RFC 9449 §9). Every verdict is
// jwtward's: this file reads the request and mints nonces, nothing else.
//
// What only the transport knows (the origin the client addressed, the TLS client certificate) comes
// from the adapter's transport, `{ origin(source, url), certificate(source) }` over the adapter's own
// request object (`source`), read only when a token is there to verify:
//   FETCH_TRANSPORT (here)   a fetch Request: its URL's origin (a Worker sees the URL the client
//                            addressed), the certificate of Cloudflare's `request.cf.tlsClientAuth`
//   NODE_TRANSPORT           Node's IncomingMessage (adapters/node-http.js): the Host header and
//                            whether the socket is TLS, the TLS socket's peer certificate
// `dpop.publicOrigin` in the policy replaces the transport's origin: behind a reverse proxy or a TLS
// terminator the server cannot see what the client addressed, and X-Forwarded-* headers are the
// client's to write unless a proxy overwrites them, so they are never read.

/**
 * The client certificate as a transport reports it: `{ verified, der }` (Node: the DER bytes) or
 * `{ verified, sha256 }` (Workers: its SHA-256, base64url), or null when the client presented none.
 * @typedef {{ verified: boolean, der?: Uint8Array, sha256?: string }} ClientCertificate
 */

/** The transport of a fetch Request (Workers, Deno, Bun, service workers). */
const FETCH_TRANSPORT = Object.freeze({
  origin: (request, url) => url.origin,
  certificate: (request) => cloudflareCertificate(request.cf),
});

/**
 * The client certificate of a Workers request: Cloudflare's `request.cf.tlsClientAuth` (with mTLS
 * enabled on the zone), whose `certFingerprintSHA256` is the SHA-256 of the certificate's DER in hex.
 * Presented: `certPresented` "1"; verified: `certVerified` "SUCCESS" (it chains to a CA the zone
 * trusts) and not revoked. Null without one, or with a fingerprint that is not 64 hex digits.
 */
function cloudflareCertificate(cf) {
  const auth = cf?.tlsClientAuth;
  if (!auth || auth.certPresented !== '1') return null;
  const hex = auth.certFingerprintSHA256;
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i += 1) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return { verified: auth.certVerified === 'SUCCESS' && auth.certRevoked !== '1', sha256: base64url(bytes) };
}

/**
 * The presentation of one request for jwtward, or undefined when there is nothing beside the token
 * (a Bearer token over a connection without a client certificate: verified exactly as before).
 *   scheme       `DPoP` for `Authorization: DPoP`; `Bearer` when a DPoP header comes with a bearer
 *                token (jwtward then leaves the proof unchecked: an unbound token passes as the bearer
 *                token it is, a DPoP-bound one is refused, RFC 9449 §7.2)
 *   dpop         the DPoP header as it arrived: several DPoP headers arrive joined by ", ", which is
 *                no proof (RFC 9449 §4.3, check 1: jwtward refuses it); the method; the URL the client
 *                addressed, without query; the nonces the proof may carry where the route asks for
 *                nonces
 *   clientCertificate  the TLS client certificate, when the transport has one that counts (`mtls`),
 *                read only where the policy speaks of mTLS (policy.js: `mtls.read`)
 * @param {object} policy the compiled policy
 * @param {{ token: string, scheme: 'Bearer' | 'DPoP' }} found the token and its scheme (token.js)
 * @param {string} method
 * @param {URL} url the request URL
 * @param {{ get(name: string): string | null }} headers
 * @param {{ origin(source: unknown, url: URL): string | null, certificate(source: unknown): ClientCertificate | null }} transport
 * @param {unknown} source the adapter's request object
 * @param {string[] | null} nonces where the route asks for nonces, those a proof may carry (the
 *   current one and the previous one, dpopNonces' `expected()`)
 */
function presentationOf(policy, found, method, url, headers, transport, source, nonces) {
  let presentation;
  const proof = headers.get('dpop');
  if (found.scheme === 'DPoP' || proof !== null) {
    presentation = { scheme: found.scheme };
    if (proof !== null) {
      // A Host that is not a host[:port] gives no origin: `.invalid` (RFC 6761) names no server, so
      // no proof's htu can be made for it by a client addressing this one.
      const origin = policy.dpop.publicOrigin ?? transport.origin(source, url) ?? `${url.protocol}//host.invalid`;
      presentation.dpop = { proof, method, url: origin + url.pathname };
      if (nonces !== null && found.scheme === 'DPoP') presentation.dpop.nonce = nonces;
    }
  }
  const certificate = policy.mtls.read ? transport.certificate(source) : null;
  if (certificate !== null && (certificate.verified || policy.mtls.certificate === 'presented')) {
    presentation ??= {};
    presentation.clientCertificate = certificate.der ?? { sha256: certificate.sha256 };
  }
  return presentation;
}

/**
 * Server-issued DPoP nonces (RFC 9449 §9) without shared state: the nonce of each period of `rotation`
 * seconds is an HMAC-SHA-256 of the period's number under a secret, cut to 128 bits. A proof may carry
 * the current period's nonce or the previous one's (a nonce works for one to two periods), so every
 * process or isolate that holds the secret issues and accepts the same nonces: nothing to store, nothing
 * to share but the secret. Without a secret, one made at random for this process or isolate (fine for
 * one Node process; a Worker runs in many isolates and must be given one).
 * @param {string | Uint8Array | (() => string | Uint8Array | undefined) | undefined} secret at least 32
 *   bytes (a string: its UTF-8); a function is called once, when the first nonce is needed
 * @param {number} rotation seconds
 * @param {() => number} [clock] milliseconds (Date.now)
 * @returns {{ expected(): Promise<string[]> }} the current period's nonce, then the previous one's
 */
function dpopNonces(secret, rotation, clock = Date.now) {
  let key;
  let period = null; // { number, values: Promise<[current, previous]> }
  const encoder = new TextEncoder();
  const mint = async (number) => {
    const mac = await crypto.subtle.sign('HMAC', await key, encoder.encode(`jwtward dpop-nonce ${rotation} ${number}`));
    return base64url(new Uint8Array(mac, 0, 16));
  };
  const expected = () => {
    const number = Math.floor(clock() / 1000 / rotation);
    if (period?.number !== number) {
      key ??= crypto.subtle.importKey('raw', nonceSecret(typeof secret === 'function' ? secret() : secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const previous = period?.number === number - 1 ? period.values.then(([current]) => current) : mint(number - 1);
      period = { number, values: Promise.all([mint(number), previous]) };
    }
    return period.values;
  };
  return { expected };
}

/** The bytes of a nonce secret; a new random one when none is given. Throws for a short one. */
function nonceSecret(secret) {
  if (secret === undefined || secret === null) return crypto.getRandomValues(new Uint8Array(32));
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret instanceof Uint8Array ? secret : null;
  if (bytes === null || bytes.length < 32) {
    throw new TypeError('jwtward guard: the DPoP nonce secret must be a string or Uint8Array of at least 32 bytes [ERR_DPOP_NONCE_SECRET]');
  }
  return bytes;
}

/**
 * What the log line says of a token's binding: "dpop" (`cnf.jkt`), "mtls" (`cnf.x5t#S256`), both as
 * "dpop+mtls", "none"; undefined when `cnf` is not an object of either.
 * @param {unknown} cnf a token's `cnf` (jwtward's `result.cnf`, or a payload's)
 * @param {boolean} [orNone] "none" for an unbound token rather than undefined
 */
function bindingOf(cnf, orNone = false) {
  const kinds = [];
  if (cnf !== null && typeof cnf === 'object') {
    if (typeof cnf.jkt === 'string') kinds.push('dpop');
    if (typeof cnf['x5t#S256'] === 'string') kinds.push('mtls');
  }
  return kinds.length ? kinds.join('+') : orNone ? 'none' : undefined;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export { FETCH_TRANSPORT, bindingOf, cloudflareCertificate, dpopNonces, nonceSecret, presentationOf };
