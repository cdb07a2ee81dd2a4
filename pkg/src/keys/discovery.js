// Where an issuer's keys are, from its metadata: OpenID Connect Discovery 1.0 §4
// (`{issuer}/.well-known/openid-configuration`), else RFC 8414 §3.1 (the well-known path inserted
// between the host and the issuer's path). The metadata's `issuer` must equal the configured one
// exactly (OIDC Discovery §4.3, RFC 8414 §3.3): a document about another issuer gives no keys.
//
// ES module source with the restricted syntax of errors.js (the build writes a CommonJS copy).

import { FetchFailure, ownMember, parseJsonObject, urlProblem } from './fetch.js';

/**
 * Why `issuer` cannot be discovered, or undefined: an URL that keys may come from, and an issuer
 * identifier (no query, no fragment: OIDC Core §2, RFC 8414 §2).
 */
function issuerProblem(issuer) {
  const problem = urlProblem(issuer);
  if (problem !== undefined) return problem;
  const url = new URL(issuer);
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) {
    return 'must have no query or fragment (an issuer identifier)';
  }
  return undefined;
}

/**
 * The metadata URLs of `issuer`, in the order they are tried: OpenID Connect Discovery, then
 * RFC 8414. A terminating `/` of the issuer's path is removed first (both specifications say so).
 */
function metadataUrls(issuer) {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/**
 * Fetches `issuer`'s metadata: `get(url)` fetches and judges one document (with jwksUriOf) or
 * throws a FetchFailure. The RFC 8414 location is tried only when the OpenID Connect one answers
 * with another HTTP status (most often 404): an unreachable host is not asked twice, and a
 * document that is wrong (not JSON, another issuer) is an error to fix, not a reason to look
 * elsewhere.
 */
async function discover(issuer, get) {
  const [oidc, oauth] = metadataUrls(issuer);
  try {
    return await get(oidc);
  } catch (error) {
    if (!(error instanceof FetchFailure) || error.reason !== 'status') throw error;
    return get(oauth);
  }
}

/** The `jwks_uri` of a metadata document about `issuer`; throws a FetchFailure otherwise. */
function jwksUriOf(document, issuer) {
  const metadata = parseJsonObject(document.text, document.status);
  if (ownMember(metadata, 'issuer') !== issuer) {
    throw new FetchFailure('issuer_mismatch', 'the metadata names another issuer', document.status);
  }
  const jwksUri = ownMember(metadata, 'jwks_uri');
  const problem = urlProblem(jwksUri);
  if (problem !== undefined) {
    throw new FetchFailure('bad_metadata', `jwks_uri ${problem}`, document.status);
  }
  return jwksUri;
}

export { discover, issuerProblem, jwksUriOf, metadataUrls };
