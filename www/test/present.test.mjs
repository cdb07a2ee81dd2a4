// Unit tests of the inspector's presentation helpers (no browser): relative times, durations,
// token colouring runs, input clean-up and the timeline layout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALG_INFO, CLAIM_INFO, CNF_INFO, DPOP_MEMBERS, HEADER_INFO, TYP_INFO, cleanProofInput, cleanTokenInput, fillPlaceholders,
  isSenderCheck, missingProof, placeholderValues, placeholdersIn, policyFields, policyOptions, policySuggestions,
  presentationOptions, describeTime, formatDuration, formatLocal, formatUtc, orderClaimNames, relative,
  scopeList, splitList, timelineLayout, tokenRuns, typInfo,
} from '../present.js';

test('durations: one unit from 10 up, two below', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(45), '45 s');
  assert.equal(formatDuration(60), '1 min');
  assert.equal(formatDuration(61), '1 min 1 s');
  assert.equal(formatDuration(12 * 60 + 30), '12 min');
  assert.equal(formatDuration(3 * 3600), '3 h');
  assert.equal(formatDuration(3 * 3600 + 5 * 60 + 7), '3 h 5 min');
  assert.equal(formatDuration(80 * 60), '1 h 20 min');
  assert.equal(formatDuration(2 * 86400 + 4 * 3600), '2 d 4 h');
  assert.equal(formatDuration(12 * 86400 + 4 * 3600), '12 d');
  assert.equal(formatDuration(3 * 365 * 86400 + 86400), '3 y 1 d');
  assert.equal(formatDuration(-90), '1 min 30 s');
  assert.equal(formatDuration(59.9), '59 s');
});

test('relative times read like sentences', () => {
  const now = 1_750_000_000;
  assert.equal(relative(now + 720, now), 'in 12 min');
  assert.equal(relative(now - 3 * 3600, now), '3 h ago');
  assert.equal(relative(now, now), 'now');
  assert.equal(describeTime('exp', now + 720, now), 'expires in 12 min');
  assert.equal(describeTime('exp', now - 3 * 3600, now), 'expired 3 h ago');
  // exp == now reads as expired, like the engine's rule (now >= exp is expired).
  assert.equal(describeTime('exp', now, now), 'expired 0 s ago');
  assert.equal(describeTime('nbf', now + 7200, now), 'not usable until 2 h from now');
  assert.equal(describeTime('nbf', now - 60, now), 'usable since 1 min ago');
  assert.equal(describeTime('iat', now - 300, now), 'issued 5 min ago');
  assert.equal(describeTime('iat', now + 300, now), 'issued 5 min in the future');
});

test('absolute times in UTC and in a named zone', () => {
  assert.equal(formatUtc(1_750_000_000), '2025-06-15 15:06:40 UTC');
  assert.equal(formatUtc(1_750_000_000.25), '2025-06-15 15:06:40.250 UTC');
  assert.equal(formatUtc(1e20), 'out of range');
  const local = formatLocal(1_750_000_000, 'en-GB', 'Europe/Berlin');
  assert.match(local, /15 Jun 2025/);
  assert.match(local, /17:06:40/);
  assert.match(local, /CEST|GMT\+2/);
});

test('token runs colour each segment and keep every character', () => {
  const token = 'aaa.bbb.ccc';
  const runs = tokenRuns(token);
  assert.deepEqual(runs.map((r) => r.kind), ['header', 'dot', 'payload', 'dot', 'signature']);
  assert.equal(runs.map((r) => r.text).join(''), token);
  const jwe = 'a.b.c.d.e';
  assert.equal(tokenRuns(jwe).map((r) => r.text).join(''), jwe);
  assert.ok(tokenRuns(jwe).some((r) => r.kind === 'extra'));
  assert.equal(tokenRuns('a..c').map((r) => r.text).join(''), 'a..c');
  assert.deepEqual(tokenRuns(''), []);
});

test('pasted text: surrounding whitespace and a Bearer prefix are removed and reported', () => {
  assert.deepEqual(cleanTokenInput('a.b.c'), { token: 'a.b.c', notes: [] });
  const spaced = cleanTokenInput('  a.b.c\n');
  assert.equal(spaced.token, 'a.b.c');
  assert.equal(spaced.notes.length, 1);
  const bearer = cleanTokenInput('Authorization: Bearer a.b.c');
  assert.equal(bearer.token, 'a.b.c');
  assert.match(bearer.notes.join(), /Bearer/);
  // Whitespace inside the token is the engine's to judge: left alone.
  assert.equal(cleanTokenInput('a.b .c').token, 'a.b .c');
});

test('claims are listed registered first, then in token order', () => {
  assert.deepEqual(orderClaimNames({ tenant_id: 1, exp: 1, zeta: 1, iss: 1, aud: 1 }), ['iss', 'aud', 'exp', 'tenant_id', 'zeta']);
  assert.deepEqual(orderClaimNames(null), []);
});

test('scopes and list fields split as people type them', () => {
  assert.deepEqual(scopeList('orders:read  orders:write'), ['orders:read', 'orders:write']);
  assert.deepEqual(scopeList(['a', 2, 'b']), ['a', 'b']);
  assert.deepEqual(scopeList(42), []);
  assert.deepEqual(splitList(' https://a.example/, https://b.example/\napi://x '), ['https://a.example/', 'https://b.example/', 'api://x']);
});

test('timeline: markers in time order, long gaps shortened and flagged', () => {
  const now = 1_750_000_000;
  const fresh = timelineLayout({ iat: now - 60, exp: now + 840 }, now);
  assert.deepEqual(fresh.markers.map((m) => m.id), ['iat', 'now', 'exp']);
  assert.equal(fresh.markers[0].position, 0);
  assert.equal(fresh.markers.at(-1).position, 1);
  assert.ok(Math.abs(fresh.markers[1].position - 60 / 900) < 1e-9);
  assert.deepEqual(fresh.breaks, []);
  assert.equal(fresh.lifetime, 900);

  // Expired three years ago with a one-hour lifetime: the gap to now is drawn short, with a break.
  const old = timelineLayout({ iat: now - 3 * 365 * 86400, exp: now - 3 * 365 * 86400 + 3600 }, now);
  assert.deepEqual(old.markers.map((m) => m.id), ['iat', 'exp', 'now']);
  assert.equal(old.breaks.length, 1);
  assert.ok(old.markers[1].position > 0.3, 'the token window stays readable');
  for (let i = 1; i < old.markers.length; i++) assert.ok(old.markers[i].position >= old.markers[i - 1].position);

  assert.equal(timelineLayout({ sub: 'x' }, now), null);
  assert.equal(timelineLayout({ exp: 'soon' }, now), null);
  // One token time (no exp): no window to protect, so no break.
  const noExp = timelineLayout({ iat: now - 62 }, now);
  assert.deepEqual(noExp.breaks, []);
  assert.deepEqual(noExp.markers.map((m) => [m.id, m.position]), [['iat', 0], ['now', 1]]);
  const only = timelineLayout({ exp: now + 10 }, now);
  assert.deepEqual(only.markers.map((m) => m.position), [0, 1]);
  assert.equal(only.lifetime, null);
});

test('meaning tables answer only for the names they list, never from Object.prototype', () => {
  // Names a token can carry that a plain object would find on Object.prototype (issue 10, finding 11).
  const inherited = ['toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];
  for (const table of [HEADER_INFO, ALG_INFO, CLAIM_INFO, CNF_INFO, TYP_INFO]) {
    for (const name of inherited) {
      assert.equal(table.has(name), false, name);
      assert.equal(table.get(name), undefined, name);
    }
  }
  assert.equal(HEADER_INFO.get('alg')[0], 'Algorithm');
  assert.equal(ALG_INFO.get('ES256'), 'ECDSA on P-256 with SHA-256');
  assert.equal(CLAIM_INFO.get('tid')[0], 'Tenant');
});

test('policy suggestions: the token\'s own aud and iss, only for options the policy leaves unset', () => {
  const payload = { iss: 'https://issuer.example/', aud: ['api://a', 'api://b', 'api://a', 7, ''], sub: 'x' };
  assert.deepEqual(policySuggestions(payload, {}), [
    { claim: 'aud', option: 'audience', values: ['api://a', 'api://b'] },
    { claim: 'iss', option: 'issuer', values: ['https://issuer.example/'] },
  ]);
  assert.deepEqual(policySuggestions(payload, { audience: 'api://other' }).map((s) => s.claim), ['iss']);
  assert.deepEqual(policySuggestions(payload, { audience: 'api://a', issuer: 'https://x/' }), []);
  assert.deepEqual(policySuggestions({ aud: 'api://one' }, {}), [{ claim: 'aud', option: 'audience', values: ['api://one'] }]);
  // Nothing usable to offer: not a string, or not the token's own member.
  assert.deepEqual(policySuggestions({ iss: 42, aud: [] }, {}), []);
  assert.deepEqual(policySuggestions(Object.create({ iss: 'https://inherited/' }), {}), []);
  assert.deepEqual(policySuggestions(undefined, {}), []);
});

test('policy fields become Verifier options; empty fields set nothing', () => {
  assert.deepEqual(policyOptions({ jwks: '{}' }), { options: { jwks: '{}', cache: false }, formError: null });
  const { options, formError } = policyOptions({
    jwks: 'K', issuer: ' https://a.example/ ', audience: 'api://x, api://y', algorithms: ['RS256'], scopes: 'a b',
    tolerance: '30', subject: ' client ', typ: 'at+jwt', requiredClaims: 'tid', maxAge: '0', claimValues: '{ "tid": "t1" }',
    senderConstraint: 'dpop',
  });
  assert.equal(formError, null);
  assert.deepEqual(options, {
    jwks: 'K', cache: false, issuer: 'https://a.example/', audience: ['api://x', 'api://y'], requiredScopes: ['a', 'b'],
    requiredClaims: ['tid'], algorithms: ['RS256'], clockTolerance: 30, maxTokenAge: 0, subject: 'client', typ: 'at+jwt', claims: { tid: 't1' },
    senderConstraint: 'dpop',
  });
  assert.equal(policyOptions({ claimValues: '[1]' }).formError.field, 'claims');
  assert.equal(policyOptions({ claimValues: '{' }).formError.field, 'claims');
  // Numbers are passed as typed: the engine says what is wrong with them.
  assert.ok(Number.isNaN(policyOptions({ tolerance: 'soon' }).options.clockTolerance));
});

test('policy fields from options: the inverse of policyOptions, every field set', () => {
  const options = {
    issuer: ['https://a/', 'https://b/'], audience: 'api://x', algorithms: ['ES256'], requiredScopes: ['r'],
    scopeClaims: ['scp', 'roles'], requiredClaims: ['tid'], maxTokenAge: 3600, subject: 's', typ: 'at+jwt', claims: { tid: 't' },
    senderConstraint: 'any',
  };
  const fields = policyFields(options);
  assert.equal(fields.issuer, 'https://a/ https://b/');
  assert.equal(fields.tolerance, undefined, 'the clock tolerance stays the user\'s unless the options set one');
  assert.deepEqual(policyOptions({ ...fields, jwks: 'K' }).options, { jwks: 'K', cache: false, ...options });
  assert.equal(policyFields({ clockTolerance: 0 }).tolerance, '0');
  assert.equal(policyFields({}).senderConstraint, '', 'a preset without it resets the sender constraint');
  assert.throws(() => policyFields({ issuer: 'x', discovery: true }), /no field for discovery/);
});

test('placeholders: found, given values by the token\'s own claims, filled only where bound', () => {
  const preset = { issuer: 'https://login.example/{tenant-id}/v2.0', audience: '{api-id}', claims: { tid: '{tenant-id}', email: 'svc@{project}.example' }, algorithms: ['RS256'] };
  assert.deepEqual(placeholdersIn(preset), ['tenant-id', 'api-id', 'project']);
  const token = { iss: 'https://login.example/t-1/v2.0', aud: ['other', 'api-9'], tid: 't-1', email: 'svc@p.example' };
  const { bindings, unresolved } = placeholderValues(preset, token);
  assert.deepEqual(bindings, { 'tenant-id': 't-1', 'api-id': 'other', project: 'p' });
  assert.deepEqual(unresolved, []);
  assert.deepEqual(fillPlaceholders(preset, { 'tenant-id': 't-1' }), { ...preset, issuer: 'https://login.example/t-1/v2.0', claims: { tid: 't-1', email: 'svc@{project}.example' } });
  // Two values for one name (iss says t-1, tid says t-2): left for the user.
  assert.deepEqual(placeholderValues(preset, { ...token, tid: 't-2' }).unresolved, ['tenant-id']);
  // A documentation token that carries the placeholders themselves gives nothing.
  assert.deepEqual(placeholderValues(preset, { iss: preset.issuer, aud: '{api-id}' }).bindings, {});
  // Patterns are literal around the placeholders, and the whole value must match.
  assert.deepEqual(placeholderValues({ issuer: 'https://a.example/{x}' }, { iss: 'https://a.example/1/extra' }).bindings, { x: '1/extra' });
  assert.deepEqual(placeholderValues({ issuer: 'https://a.example/{x}' }, { iss: 'https://aXexample/1' }).bindings, {});
  assert.deepEqual(placeholderValues({ issuer: 'https://a.example/{x}' }, { iss: 42 }).bindings, {});
});

test('sender-constrained tokens: cnf, its members, DPoP claims and the dpop+jwt type are explained', () => {
  assert.equal(CLAIM_INFO.get('cnf')[0], 'Confirmation');
  for (const claim of ['htm', 'htu', 'ath']) assert.match(CLAIM_INFO.get(claim)[1], /DPoP proof/, claim);
  assert.match(CNF_INFO.get('jkt')[1], /RFC 7638/);
  assert.match(CNF_INFO.get('x5t#S256')[1], /RFC 8705/);
  assert.match(typInfo('dpop+jwt'), /DPoP proof \(RFC 9449\)/);
  assert.equal(typInfo('application/DPoP+JWT'), typInfo('dpop+jwt'), 'typ compared without case or application/');
  assert.match(typInfo('at+jwt'), /access token/);
  assert.equal(typInfo('toString'), undefined);
  assert.equal(typInfo(7), undefined);
  assert.match(HEADER_INFO.get('typ')[1], /dpop\+jwt/);
  // Every member of a proof the engine checks, with the check that judges it, in reading order.
  assert.deepEqual(DPOP_MEMBERS.map(([part, name, check]) => `${part}.${name}:${check}`), [
    'header.typ:dpop_typ', 'header.alg:dpop_alg', 'header.jwk:dpop_jwk', 'payload.htm:dpop_htm', 'payload.htu:dpop_htu',
    'payload.iat:dpop_iat', 'payload.jti:dpop_jti', 'payload.ath:dpop_ath', 'payload.nonce:dpop_nonce',
  ]);
  for (const id of ['cnf', 'sender_constraint', 'dpop_proof', 'dpop_htu', 'cnf_jkt', 'cnf_x5t']) assert.ok(isSenderCheck(id), id);
  for (const id of ['signature', 'aud', 'scopes', 'claims', 'cnfx', 'dpop']) assert.ok(!isSenderCheck(id), id);
});

test('request fields become explain\'s dpop and clientCertificate options; the proof is cleaned like a token', () => {
  assert.deepEqual(presentationOptions({}), {});
  assert.deepEqual(presentationOptions({ method: 'GET', url: 'https://api.example/x' }), {}, 'no proof: the token alone');
  assert.deepEqual(presentationOptions({ proof: ' p.q.r ', method: ' POST ', url: 'https://api.example/x ' }), {
    dpop: { proof: 'p.q.r', method: 'POST', url: 'https://api.example/x' },
  });
  assert.deepEqual(presentationOptions({ proof: 'p', nonce: 'n1' }).dpop, { proof: 'p', nonce: 'n1' }, 'missing method and URL: the engine says so');
  assert.deepEqual(presentationOptions({ proof: 'p', nonce: ' n1  n,2 ' }).dpop.nonce, ['n1', 'n,2']);
  assert.deepEqual(presentationOptions({ certificate: ' abc ' }), { clientCertificate: { sha256: 'abc' } });
  assert.deepEqual(cleanProofInput('  DPoP: eyJ.a.b \n'), { proof: 'eyJ.a.b', notes: ['surrounding whitespace', 'the "DPoP:" prefix'] });
  assert.deepEqual(cleanProofInput('eyJ.a.b'), { proof: 'eyJ.a.b', notes: [] });
  // A token copied with its DPoP scheme, like a Bearer one.
  assert.deepEqual(cleanTokenInput('Authorization: DPoP eyJ.a.b'), { token: 'eyJ.a.b', notes: ['the "Authorization: DPoP" prefix'] });
});

test('a bound token refused for want of its proof: which field to offer, from the engine\'s verdict', () => {
  const unbound = { valid: false, code: 'ERR_JWT_BAD_BINDING', claim: 'cnf.jkt' };
  assert.equal(missingProof(unbound, {}), 'dpop');
  assert.equal(missingProof(unbound, { dpop: { proof: 'p' } }), null, 'a proof was given: its verdict stands');
  assert.equal(missingProof({ ...unbound, claim: 'cnf.x5t#S256' }, {}), 'mtls');
  assert.equal(missingProof({ ...unbound, claim: 'cnf.x5t#S256' }, { clientCertificate: { sha256: 'x' } }), null);
  assert.equal(missingProof({ ...unbound, claim: 'cnf' }, {}), null, 'an unbound token where binding is required');
  assert.equal(missingProof({ valid: false, code: 'ERR_JWT_EXPIRED', claim: 'exp' }, {}), null);
  assert.equal(missingProof({ valid: true }, {}), null);
  assert.equal(missingProof(undefined, {}), null);
});
