// Unit tests of the DevTools panel's token capture (www/extension/capture.js): which parts of a
// HAR entry, as chrome.devtools.network delivers it, are read for tokens, and how sightings are
// de-duplicated. No browser: the real event stream is tested in extension.test.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TokenLog, apiOrigin, entrySightings, isJwtShaped, jsonTokens, presented, requestTokens, responseTokens,
} from '../extension/capture.js';

const segment = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims, header = { alg: 'RS256', typ: 'at+jwt' }) => `${segment(header)}.${segment(claims)}.c2lnbmF0dXJl`;
const A = jwt({ sub: 'a' });
const B = jwt({ sub: 'b' });
const C = jwt({ sub: 'c' });

function entry({ method = 'GET', url = 'https://api.example/orders', headers = [], cookies = [], queryString = [], response = {}, at = '2026-01-01T10:00:00.000Z' } = {}) {
  return {
    startedDateTime: at,
    request: { method, url, headers, cookies, queryString },
    response: { status: 200, headers: [], cookies: [], content: { mimeType: 'application/json', size: 100 }, ...response },
  };
}

test('JWT-shaped: compact JWS with a JSON header, nothing else', () => {
  assert.equal(isJwtShaped(A), true);
  assert.equal(isJwtShaped(`${segment({ alg: 'none' })}.${segment({})}.`), true, 'alg none (empty signature) is shown, for the engine to refuse');
  for (const not of ['', 'abc', 'a.b.c', `${A}.x.y`, `${A} `, `Bearer ${A}`, 'eyJ.eyJ', `eyJhbGci.${'x'.repeat(70_000)}.sig`, 42, null]) {
    assert.equal(isJwtShaped(not), false, String(not).slice(0, 40));
  }
});

test('request: Authorization with Bearer, DPoP or any scheme; access_token query; cookies', () => {
  const found = requestTokens({
    headers: [{ name: 'Authorization', value: `Bearer ${A}` }, { name: 'Cookie', value: `theme=dark; session=${B}` }],
    queryString: [{ name: 'access_token', value: C }, { name: 'q', value: A }],
    cookies: [{ name: 'theme', value: 'dark' }, { name: 'session', value: `"${B}"` }],
  });
  assert.deepEqual(found.map((f) => [f.token, f.source, f.label]), [
    [A, { kind: 'authorization', scheme: 'Bearer' }, 'Authorization: Bearer'],
    [C, { kind: 'query', name: 'access_token' }, 'Query access_token'],
    [B, { kind: 'cookie', name: 'session' }, 'Cookie session'],
  ]);
  assert.deepEqual(requestTokens({ headers: [{ name: 'authorization', value: `DPoP ${A}` }] })[0].source, { kind: 'authorization', scheme: 'DPoP' });
  assert.deepEqual(requestTokens({ headers: [{ name: 'authorization', value: A }] })[0].source, { kind: 'authorization', scheme: '' });
  // Basic credentials, opaque tokens and a JWT after junk are not tokens to show.
  assert.deepEqual(requestTokens({ headers: [{ name: 'Authorization', value: 'Basic dXNlcjpwYXNz' }] }), []);
  assert.deepEqual(requestTokens({ headers: [{ name: 'Authorization', value: 'Bearer 2YotnFZFEjr1zCsicMWpAA' }] }), []);
  assert.deepEqual(requestTokens({ headers: [{ name: 'Authorization', value: `Bearer x ${A}` }] }), []);
  // With no parsed cookie list, the Cookie header is read.
  assert.deepEqual(requestTokens({ headers: [{ name: 'cookie', value: `a=1; id=${encodeURIComponent(B)}` }] }).map((f) => f.token), [B]);
});

test('response: Set-Cookie and every JWT in a JSON body, with its path', () => {
  const body = JSON.stringify({ access_token: A, token_type: 'Bearer', nested: { list: ['x', B] }, note: `not ${C}` });
  const found = responseTokens({ cookies: [{ name: 'id', value: C }], content: { mimeType: 'application/json; charset=utf-8', size: body.length } }, body);
  assert.deepEqual(found.map((f) => [f.token, f.label]), [[C, 'Set-Cookie id'], [A, 'Response access_token'], [B, 'Response nested.list[1]']]);
  // Other media types are not parsed; `+json` types are.
  assert.deepEqual(responseTokens({ content: { mimeType: 'text/html' } }, body), []);
  assert.equal(responseTokens({ content: { mimeType: 'application/problem+json' } }, body).length, 2);
  assert.deepEqual(jsonTokens('not json'), []);
  assert.deepEqual(jsonTokens(JSON.stringify(A)), [{ path: '(body)', token: A }]);
  // Bounded: nothing below the depth limit.
  let deep = A;
  for (let i = 0; i < 20; i++) deep = { d: deep };
  assert.deepEqual(jsonTokens(JSON.stringify(deep)), []);
});

test('sightings keep the request: time, method, URL, status and the DPoP proof header', () => {
  const proof = jwt({ htm: 'POST' }, { typ: 'dpop+jwt', alg: 'ES256' });
  const [seen] = entrySightings(entry({ method: 'POST', headers: [{ name: 'Authorization', value: `DPoP ${A}` }, { name: 'DPoP', value: proof }] }));
  assert.equal(seen.token, A);
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, 'https://api.example/orders');
  assert.equal(seen.dpop, proof);
  assert.equal(seen.status, 200);
  assert.equal(seen.time, Date.parse('2026-01-01T10:00:00.000Z'));
});

test('the log: one row per token, its sightings in time order, the same request counted once', () => {
  const log = new TokenLog({ maxRows: 2, maxSightings: 3 });
  const fromTokenEndpoint = entry({ url: 'https://login.example/oauth/token', method: 'POST', at: '2026-01-01T10:00:00Z' });
  const [issued] = entrySightings(fromTokenEndpoint, JSON.stringify({ access_token: A }));
  const [used] = entrySightings(entry({ headers: [{ name: 'Authorization', value: `Bearer ${A}` }], at: '2026-01-01T10:00:01Z' }));
  const row = log.add(issued);
  assert.equal(log.add(used), row);
  assert.equal(log.add(used), row, 'getHAR and onRequestFinished report the same request');
  assert.equal(row.sightings.length, 2);
  assert.deepEqual(row.sightings.map((s) => s.label), ['Response access_token', 'Authorization: Bearer']);
  // The policy belongs to the API the token was presented to, not to the token endpoint.
  assert.equal(presented(row).url, 'https://api.example/orders');
  assert.equal(apiOrigin(row), 'https://api.example');
  const issuedOnly = log.add(entrySightings(fromTokenEndpoint, JSON.stringify({ id_token: B }))[0]);
  assert.equal(apiOrigin(issuedOnly), 'https://login.example');
  // Rows in the order of their first request, whatever order they are reported in.
  log.add({ ...used, token: C, time: issued.time - 1000 });
  assert.deepEqual(log.rows().map((r) => r.token), [C, B]);
  for (let second = 10; second < 15; second++) log.add({ ...used, token: C, time: second });
  assert.equal(log.rows()[0].token, C);
  assert.equal(log.rows()[0].sightings.length, 3);
  log.clear();
  assert.deepEqual(log.rows(), []);
});
