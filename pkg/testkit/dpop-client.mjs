// Test helper: a DPoP client key (ES256, made at test time) and proofs made with it, each of which can
// get exactly one thing wrong (RFC 9449 §4.2, §4.3), to send to a guard. Proofs that are right are
// made by the `dpop` npm client library (panva), the real thing; the wrong ones are signed here with
// jose, since no client library makes them. Node only.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { generateProof } from 'dpop';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';

const b64json = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** SHA-256 of an access token, base64url: a proof's `ath`. */
export const ath = (token) => createHash('sha256').update(token).digest('base64url');

/**
 * A client key: `jkt` (what an access token's `cnf.jkt` says), and `proof(token, htu, htm, options)`.
 * Options: `nonce`; `header` / `claims` to replace members (undefined removes one); `sign: 'HS256'`
 * or `'none'` for proofs that are not signed with the key; `iat` seconds.
 */
export async function dpopClient() {
  const keypair = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(keypair.publicKey);
  const jkt = await calculateJwkThumbprint(jwk);
  return {
    keypair,
    jwk,
    jkt,
    async proof(token, htu, htm = 'GET', { nonce, header, claims, sign } = {}) {
      if (!header && !claims && !sign) return generateProof(keypair, htu, htm, nonce, token);
      const head = { typ: 'dpop+jwt', alg: 'ES256', jwk, ...header };
      const body = { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm, htu, ath: ath(token), ...(nonce ? { nonce } : {}), ...claims };
      for (const object of [head, body]) for (const name of Object.keys(object)) if (object[name] === undefined) delete object[name];
      if (sign === 'none') return `${b64json(head)}.${b64json(body)}.`;
      if (sign === 'HS256') {
        const input = `${b64json(head)}.${b64json(body)}`;
        return `${input}.${createHmac('sha256', Buffer.alloc(32, 9)).update(input).digest('base64url')}`;
      }
      return new CompactSign(Buffer.from(JSON.stringify(body))).setProtectedHeader(head).sign(keypair.privateKey);
    },
  };
}
