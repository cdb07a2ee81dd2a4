// Sender-constrained tokens on the JavaScript side (RFC 9449 DPoP, RFC 8705 mTLS): the call
// options that say how the request presented the token, and the DPoP replay store. Every verdict
// comes from the core (src/binding.rs, src/dpop/): this file checks the options' types, hands
// the presentation to the core as JSON text, and answers the one question the core leaves to
// the host, "was this proof seen before?", for proofs the core accepted.
//
// ES module source with the restricted syntax of errors.js (the build writes a CommonJS copy).

import { makeError, optionsError } from './errors.js';

/** Entries of the default replay store: a proof's jti is kept until its `iat` window closes
 * (~61 s after it was made, by default), so this holds the proofs of ~1,600 requests a second. */
const DEFAULT_REPLAY_ENTRIES = 100_000;

/**
 * A DPoP replay store in this process's (or isolate's) memory: `record(key, expiresAt, now)`
 * records `key` until `expiresAt` (Unix seconds) and answers whether it was new. Bounded: when
 * full, the entries closest to expiry go first (a flood of proofs can only shorten how long the
 * oldest are remembered). One per Verifier by default; share one between Verifiers that accept
 * the same proofs.
 * @param {{ maxEntries?: number }} [options]
 */
function memoryReplayStore(options) {
  let maxEntries = DEFAULT_REPLAY_ENTRIES;
  if (options !== undefined) {
    if (options === null || typeof options !== 'object') throw optionsError('options', 'must be an object like { maxEntries }', memoryReplayStore);
    for (const key of Object.keys(options)) {
      if (key !== 'maxEntries') throw optionsError(key, 'unknown option', memoryReplayStore);
    }
    if (options.maxEntries !== undefined) {
      if (!Number.isSafeInteger(options.maxEntries) || options.maxEntries < 1) {
        throw optionsError('maxEntries', 'must be a positive integer', memoryReplayStore);
      }
      maxEntries = options.maxEntries;
    }
  }
  // key -> expiresAt, in insertion order: proofs arrive with `iat` near now, so insertion order
  // is close to expiry order and the oldest entries are looked at first.
  const entries = new Map();
  return {
    record(key, expiresAt, now) {
      const known = entries.get(key);
      if (known !== undefined && known > now) return false;
      entries.delete(key);
      for (const [old, until] of entries) {
        if (until > now && entries.size < maxEntries) break;
        entries.delete(old);
      }
      entries.set(key, expiresAt);
      return true;
    },
  };
}

/** The replay store of a Verifier: `dpopReplayStore`, or a memory store made on first use. */
function replayStoreOf(store, stackStart) {
  if (store === undefined) return undefined;
  if (store === null || typeof store !== 'object' || typeof store.record !== 'function') {
    throw optionsError('dpopReplayStore', 'must be an object with record(key, expiresAt, now)', stackStart);
  }
  return store;
}

/** Options of verify/verifyAsync/explain that describe the request (besides `now`, `waitUntil`). */
const PRESENTATION_OPTIONS = ['dpop', 'clientCertificate', 'scheme'];

/**
 * The presentation in `options` for the core: `{ json, cacheable }`, or undefined when the call
 * says nothing of it (the token alone, like a Bearer token). `cacheable`: the verdict on an
 * unbound token is the same as for the token alone, so the verified-token cache may answer
 * (a token that is sender-constrained is never cached: its verdict depends on the proof).
 */
function presentationOf(options, stackStart) {
  if (options === undefined || options === null || typeof options !== 'object') return undefined;
  const given = PRESENTATION_OPTIONS.filter((name) => Object.hasOwn(options, name) && options[name] !== undefined);
  if (given.length === 0) return undefined;
  const fail = (field, message) => {
    throw optionsError(field, message, stackStart);
  };
  const presentation = {};
  const { scheme, dpop, clientCertificate } = options;
  if (scheme !== undefined) {
    if (typeof scheme !== 'string' || !/^(bearer|dpop)$/i.test(scheme)) fail('scheme', "must be 'Bearer' or 'DPoP'");
    presentation.scheme = scheme;
  }
  if (dpop !== undefined) presentation.dpop = dpopOf(dpop, fail);
  if (clientCertificate !== undefined && clientCertificate !== null) {
    presentation.clientCertificate = certificateOf(clientCertificate, fail);
  }
  const proof = presentation.dpop?.proof;
  const cacheable = (proof === undefined || proof === null) && !/^dpop$/i.test(scheme ?? '');
  return { json: JSON.stringify(presentation), cacheable };
}

/** `dpop: { proof, method, url, nonce? }`: `proof` a string, or null when the request has none. */
function dpopOf(dpop, fail) {
  if (dpop === null || typeof dpop !== 'object' || Array.isArray(dpop)) fail('dpop', 'must be an object like { proof, method, url }');
  for (const key of Object.keys(dpop)) {
    if (!['proof', 'method', 'url', 'nonce'].includes(key)) fail(`dpop.${key}`, 'unknown option');
  }
  const { proof, method, nonce } = dpop;
  // A URL object (or anything with href, as `new URL(request.url)` gives) is taken as its href.
  const url = dpop.url instanceof URL ? dpop.url.href : dpop.url;
  if (proof !== undefined && proof !== null && typeof proof !== 'string') fail('dpop.proof', 'must be a string (the DPoP header), or null');
  const hasProof = typeof proof === 'string';
  if (hasProof || method !== undefined) {
    if (typeof method !== 'string' || method === '') fail('dpop.method', 'must be the request method, e.g. "GET"');
  }
  if (hasProof || url !== undefined) {
    if (typeof url !== 'string' || url === '') fail('dpop.url', 'must be the request URL (absolute)');
  }
  let nonces;
  if (nonce !== undefined && nonce !== null) {
    nonces = typeof nonce === 'string' ? [nonce] : nonce;
    if (!Array.isArray(nonces) || !nonces.every((n) => typeof n === 'string')) fail('dpop.nonce', 'must be the expected nonce, or a list of them');
  }
  return { proof: hasProof ? proof : null, method, url, nonce: nonces };
}

/** `clientCertificate`: the DER bytes (Uint8Array, Buffer, ArrayBuffer), or `{ sha256 }`. */
function certificateOf(certificate, fail) {
  let bytes;
  if (certificate instanceof ArrayBuffer) bytes = new Uint8Array(certificate);
  else if (ArrayBuffer.isView(certificate)) bytes = new Uint8Array(certificate.buffer, certificate.byteOffset, certificate.byteLength);
  if (bytes !== undefined) {
    if (bytes.length === 0) fail('clientCertificate', 'is empty');
    return base64url(bytes);
  }
  if (typeof certificate === 'object' && typeof certificate.sha256 === 'string' && Object.keys(certificate).length === 1) {
    if (!/^[A-Za-z0-9_-]{43}$/.test(certificate.sha256)) fail('clientCertificate.sha256', 'must be a SHA-256 in base64url (43 characters)');
    return { sha256: certificate.sha256 };
  }
  return fail('clientCertificate', "must be the certificate's DER bytes, or { sha256: 'base64url' }");
}

function base64url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The replay check of a result the core accepted with a DPoP proof (`result.dpop`): records the
 * proof in `store` until its `iat` window closes. Returns undefined when it is new, the
 * `ERR_JWT_BAD_DPOP_PROOF` error (claim `jti`) when it was used before, or (asynchronous store)
 * a promise of either.
 */
function replayVerdict(store, result, window, now, stackStart) {
  const { jti, iat, jkt } = result.dpop;
  // Keyed by the proof's key too: a client's jti can never collide with another client's.
  // The core accepts the proof while `now <= iat + window`: remembered past that second.
  const answer = store.record(`${jkt}.${jti}`, Math.ceil(iat) + window + 1, Math.floor(now));
  const verdict = (fresh) =>
    fresh === true ? undefined : makeError('ERR_JWT_BAD_DPOP_PROOF', 'DPoP proof: this proof (its jti) was used before', { claim: 'jti' }, stackStart);
  if (answer !== null && typeof answer === 'object' && typeof answer.then === 'function') return answer.then(verdict);
  return verdict(answer);
}

export { memoryReplayStore, presentationOf, replayStoreOf, replayVerdict };
