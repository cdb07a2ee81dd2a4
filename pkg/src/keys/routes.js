// Where a Verifier's keys come from, read from its options: an inline JWK Set (the options go to
// the core untouched), or one or several *routes*, each an issuer's policy with its key source.
// With `issuers`, the token's unverified `iss` only picks a route (the core verifier of that
// route still checks `iss`, and everything else, with that route's keys); an `iss` that picks
// none is refused before any key or network is touched.
//
// ES module source with the restricted syntax of errors.js (the build writes a CommonJS copy).

import { makeError, optionsError } from '../errors.js';
import { TUNING_OPTIONS, createKeySource, keySourceOf, setMembers } from './remote.js';

/** Options that say where keys come from. */
const KEY_OPTIONS = ['jwks', 'jwksUri', 'discovery', 'issuers'];
/** Options of the Verifier as a whole (one cache, one backend, one size limit for routing). */
const TOP_LEVEL_ONLY = ['cache', 'backend', 'maxTokenLength'];

function looksLikeUrl(value) {
  return typeof value === 'string' && /^\s*https?:\/\//i.test(value);
}

// The hint for a natural wrong guess: `jwks: 'https://issuer.example/jwks.json'`.
function urlAsJwks(field, stackStart) {
  return makeError(
    'ERR_JWKS_INVALID',
    `invalid option \`${field}\`: a URL is not a JWK Set; pass \`jwksUri\` to fetch the keys from it`,
    { field },
    stackStart,
  );
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * How a Verifier gets its keys.
 * @returns {undefined | { routes: Route[], byIssuer?: Map<string, Route> }} undefined for one
 *   inline JWK Set. A Route is `{ issuer?, policy, source?, jwks?, field }`: `policy` the core
 *   options without `jwks`, `source` a KeySource or `jwks` an inline set, `field(name)` the
 *   name under which the user gave an option (for the core's errors)
 */
function planKeys(options, runtime, stackStart) {
  if (!isPlainObject(options)) return undefined;
  const values = setMembers(options);
  const fail = (field, message) => {
    throw optionsError(field, message, stackStart);
  };
  if (values.discovery !== undefined && typeof values.discovery !== 'boolean') fail('discovery', 'must be true or false');
  if (values.discovery === false) delete values.discovery;
  const remote =
    values.jwksUri !== undefined ||
    values.discovery !== undefined ||
    values.issuers !== undefined ||
    keySourceOf(values.jwks) !== undefined;
  if (!remote) {
    if (looksLikeUrl(values.jwks)) throw urlAsJwks('jwks', stackStart);
    for (const name of TUNING_OPTIONS) {
      if (values[name] !== undefined) fail(name, 'only applies to keys fetched from an issuer (`jwksUri`, `discovery` or `issuers`)');
    }
    return undefined;
  }
  const keys = Object.create(null);
  const tuning = Object.create(null);
  const policy = Object.create(null);
  for (const name of Object.keys(values)) {
    const into = KEY_OPTIONS.includes(name) ? keys : TUNING_OPTIONS.includes(name) ? tuning : policy;
    into[name] = values[name];
  }
  if (keys.issuers !== undefined) return planIssuers(keys, tuning, policy, runtime, stackStart);
  const field = (name) => name;
  const source = keySourceOf(keys.jwks);
  if (source !== undefined) {
    for (const name of ['jwksUri', 'discovery']) {
      if (keys[name] !== undefined) fail(name, 'the keys are the RemoteJwks given as `jwks`');
    }
    for (const name of Object.keys(tuning)) fail(name, 'set it on the RemoteJwks given as `jwks`');
    policy.issuer = scopedIssuer(policy.issuer, source.issuer, 'issuer', stackStart);
    return { routes: [{ policy, source, field }] };
  }
  if (keys.jwks !== undefined) {
    fail(keys.jwksUri !== undefined ? 'jwksUri' : 'discovery', 'the keys come either from `jwks` or from the issuer, not both');
  }
  const fetched = createKeySource({ ...tuning, issuer: policy.issuer, jwksUri: keys.jwksUri, discovery: keys.discovery }, field, runtime, stackStart);
  return { routes: [{ policy, source: fetched, field }] };
}

function planIssuers(keys, tuning, shared, runtime, stackStart) {
  const fail = (field, message) => {
    throw optionsError(field, message, stackStart);
  };
  for (const name of ['jwks', 'jwksUri', 'discovery']) {
    if (keys[name] !== undefined) fail('issuers', `set \`${name}\` in each entry of \`issuers\``);
  }
  if (shared.issuer !== undefined) fail('issuer', 'set `issuer` in each entry of `issuers`');
  const { issuers } = keys;
  if (!Array.isArray(issuers) || issuers.length === 0) {
    fail('issuers', 'must be a non-empty list of { issuer, discovery: true | jwksUri | jwks }');
  }
  const routes = [];
  const byIssuer = new Map();
  issuers.forEach((entry, index) => {
    const route = entryRoute(entry, index, tuning, shared, runtime, stackStart);
    if (byIssuer.has(route.issuer)) fail(`issuers[${index}].issuer`, 'names an issuer listed before');
    byIssuer.set(route.issuer, route);
    routes.push(route);
  });
  return { routes, byIssuer };
}

function entryRoute(entry, index, tuning, shared, runtime, stackStart) {
  const at = (name) => `issuers[${index}].${name}`;
  const fail = (field, message) => {
    throw optionsError(field, message, stackStart);
  };
  if (!isPlainObject(entry)) fail(`issuers[${index}]`, 'must be an object like { issuer, discovery: true }');
  const own = setMembers(entry);
  if (own.discovery !== undefined && typeof own.discovery !== 'boolean') fail(at('discovery'), 'must be true or false');
  if (own.discovery === false) delete own.discovery;
  const { issuer } = own;
  if (typeof issuer !== 'string' || issuer === '') fail(at('issuer'), 'is required: the issuer, one string');
  const policy = Object.assign(Object.create(null), shared);
  for (const name of Object.keys(own)) {
    if (name === 'issuers' || TOP_LEVEL_ONLY.includes(name) || TUNING_OPTIONS.includes(name)) {
      fail(at(name), 'applies to every issuer: set it beside `issuers`');
    }
    if (!KEY_OPTIONS.includes(name)) policy[name] = own[name];
  }
  // A core error about an option this entry set names it as `issuers[i].name`.
  const field = (name) => (Object.hasOwn(own, name.split('.')[0]) ? at(name) : name);
  const given = ['jwks', 'jwksUri', 'discovery'].filter((name) => own[name] !== undefined);
  if (given.length !== 1) fail(at(given[1] ?? 'jwksUri'), 'give one of `discovery: true`, `jwksUri` or `jwks`');
  if (own.jwks !== undefined) {
    const source = keySourceOf(own.jwks);
    if (source !== undefined) {
      scopedIssuer(issuer, source.issuer, at('jwks'), stackStart);
      return { issuer, policy, source, field };
    }
    if (looksLikeUrl(own.jwks)) throw urlAsJwks(at('jwks'), stackStart);
    return { issuer, policy, jwks: own.jwks, field };
  }
  const source = createKeySource(
    { ...tuning, issuer, jwksUri: own.jwksUri, discovery: own.discovery },
    (name) => (TUNING_OPTIONS.includes(name) ? name : at(name)),
    runtime,
    stackStart,
  );
  return { issuer, policy, source, field };
}

/**
 * The issuer option of a Verifier whose keys belong to `sourceIssuer`: keys are scoped to their
 * issuer, so a token of another issuer is never verified with them. Unset, it is that issuer.
 */
function scopedIssuer(given, sourceIssuer, field, stackStart) {
  if (sourceIssuer === undefined || given === undefined) return given ?? sourceIssuer;
  const list = Array.isArray(given) ? given : [given];
  if (list.length === 1 && list[0] === sourceIssuer) return given;
  throw optionsError(field, `the keys are those of ${JSON.stringify(sourceIssuer)}: the issuer must be exactly that one`, stackStart);
}

export { planKeys };
