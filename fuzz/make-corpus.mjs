// Writes the seed corpus for the fuzz targets into fuzz/corpus/<target>/ (git-ignored: the
// corpus is regenerated, never committed in bulk).
//
//   node fuzz/make-corpus.mjs
//
// Seeds: the benchmark fixture tokens (valid at the fixture clock) and hand-made near-misses of
// every contract rule, so libFuzzer starts past the base64url and JSON layers instead of having
// to discover `eyJ` on its own.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'benches', 'fixtures');
const { tokens } = JSON.parse(readFileSync(join(fixtures, 'tokens.json'), 'utf8'));
const jwks = JSON.parse(readFileSync(join(fixtures, 'jwks.json'), 'utf8'));

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const unb64 = (segment) => Buffer.from(segment, 'base64url').toString('utf8');

function write(target, seeds) {
  const dir = join(here, 'corpus', target);
  mkdirSync(dir, { recursive: true });
  for (const seed of seeds) {
    const bytes = Buffer.isBuffer(seed) ? seed : Buffer.from(seed);
    // Content-addressed names, as libFuzzer itself names corpus entries: reruns do not duplicate.
    writeFileSync(join(dir, createHash('sha1').update(bytes).digest('hex')), bytes);
  }
  return seeds.length;
}

// One valid token per algorithm, then variants of the first ones.
const valid = Object.values(tokens).map((list) => list[0]);
const [h, p, s] = tokens.HS256[0].split('.');
const header = JSON.parse(unb64(h));
const payload = JSON.parse(unb64(p));
const withHeader = (extra) => `${b64({ ...header, ...extra })}.${p}.${s}`;
const withPayload = (extra) => `${h}.${b64({ ...payload, ...extra })}.${s}`;

const tokenSeeds = [
  ...valid,
  withHeader({ alg: 'none' }), `${b64({ alg: 'none' })}.${p}.`, withHeader({ alg: 'nOnE' }),
  withHeader({ crit: ['b64'], b64: false }), withHeader({ crit: [] }), withHeader({ crit: 'exp' }),
  withHeader({ kid: '../../etc/passwd' }), withHeader({ kid: 7 }), withHeader({ jku: 'https://evil.example/jwks' }),
  withHeader({ jwk: jwks.keys.find((k) => k.kty === 'EC') }), withHeader({ typ: 'JWT' }),
  `${b64('{"alg":"HS256","alg":"none"}')}.${p}.${s}`, `${b64('\ufeff{"alg":"HS256"}')}.${p}.${s}`,
  withPayload({ exp: '1750003540' }), withPayload({ exp: null }), withPayload({ aud: ['x', 'api://bench'] }),
  withPayload({ scp: ['orders:read'], scope: undefined }), withPayload({ nbf: 1.5e9 + 0.5 }),
  `${h}.${b64('[' .repeat(70) + ']'.repeat(70))}.${s}`,
  `${h}=.${p}.${s}`, `${h}.${p}.${s}=`, `${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h} .${p}.${s}`, `${h}.${p}.`, '..', '',
  `${tokens.RS256[0].slice(0, -3)}AAA`, `${tokens.ES256[0].split('.').slice(0, 2).join('.')}.${'A'.repeat(86)}`,
  // Found by the decode target: a number whose nearest double is 3.749999940175179e22, which
  // serde_json's default (best-effort) float parser reads back 1 ULP off once re-serialised.
  // Decoded claims must be the numbers the issuer wrote (as JSON.parse reads them).
  `${h}.${b64('{"scope":"ore","tenat":37499999401751790003540}')}.${s}`,
  `${h}.${b64({ ...payload, exp: 1750003539.9999999, nbf: 1749999940.0000001, x: 3.749999940175179e22 })}.${s}`,
];

const jwksSeeds = [
  JSON.stringify(jwks),
  ...jwks.keys.map((key) => JSON.stringify({ keys: [key] })),
  JSON.stringify({ keys: [] }), '{}', '{"keys":{}}', '[]', '{"keys":[{}]}', '{"keys":[null, 1, "x"]}',
  JSON.stringify({ keys: [{ ...jwks.keys[3], kid: 'dup' }, { ...jwks.keys[9], kid: 'dup' }] }),
  JSON.stringify({ keys: [{ ...jwks.keys[3], d: 'AAAA', p: 'AAAA' }] }),
  JSON.stringify({ keys: [{ ...jwks.keys[3], n: 'AQAB' }] }), JSON.stringify({ keys: [{ ...jwks.keys[3], e: 'AQ' }] }),
  JSON.stringify({ keys: [{ ...jwks.keys[9], x: jwks.keys[9].y }] }), JSON.stringify({ keys: [{ ...jwks.keys[0], k: '' }] }),
  JSON.stringify({ keys: [{ ...jwks.keys[12], x: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }] }),
  JSON.stringify({ keys: [{ kty: 'OKP', crv: 'X25519', x: 'AAAA' }, { kty: 'EC', crv: 'secp256k1', x: 'AA', y: 'AA' }] }),
  JSON.stringify({ keys: [{ ...jwks.keys[3], use: 'enc', key_ops: ['encrypt'] }] }),
  '{"keys":[{"kty":"oct","k":"AAAA","kty":"RSA"}]}',
];

// The headers and payloads of the token seeds, and JSON at each strict rule's edge.
const jsonSeeds = [
  ...tokenSeeds.flatMap((token) => token.split('.').slice(0, 2)).map((segment) => Buffer.from(segment, 'base64url')),
  '{"a":1,"a":2}', '{"a":{"b":1,"b":2}}', '{"a":1,"\\u0061":2}', '{"a":"\\ud800"}', '{"a":"\\ud800\\udc00"}',
  '{"a":1e309}', '{"a":-0,"b":1E+2,"c":5e-324}', '{"a":01}', '{"a":[1,]}', '\ufeff{}', '{"a":"\u0001"}',
  `{"a":${'['.repeat(63)}${']'.repeat(63)}}`, JSON.stringify(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`m${i}`, i]))),
];

let count = 0;
count += write('json', jsonSeeds);
count += write('decode', tokenSeeds);
count += write('verify', tokenSeeds);
count += write('jwks', jwksSeeds);
// The structured target reads `arbitrary` bytes: a few short varied seeds are enough to start.
count += write('verify_structured', [0, 1, 2, 3, 7, 13, 42, 99].map((n) => Buffer.from(Array.from({ length: 24 + n }, (_, i) => (i * 37 + n * 11) & 255))));
// So does the DPoP target; an all-zero input is the proof built exactly right (the oracle's case).
count += write('dpop', [0, 1, 2, 3, 7, 13, 42, 99].map((n) => Buffer.from(Array.from({ length: 32 + n }, (_, i) => (n === 0 ? 0 : (i * 29 + n * 13) & 255)))));
console.log(`wrote ${count} seeds into ${join(here, 'corpus')}`);
