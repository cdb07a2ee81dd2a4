// `npm run bench`: jwtward (the npm package, imported by name) against the JavaScript JWT
// verifiers, on the same tokens, in one process.
//
//   node benches/js/bench.mjs                  full run (~2-3 min)
//   BENCH_QUICK=1 node benches/js/bench.mjs    smoke run (~20 s), same sections, short rounds
//   BENCH_ALGS=RS256,ES256 node benches/js/bench.mjs   only these algorithms
//   BENCH_JSON=out.json ...                   also write every figure as JSON
//
// Method. Every contender enforces the same policy (algorithm, issuer, audience, subject, typ,
// exp/nbf/iat, max age, a required custom claim with a value, a required scope); what a library
// cannot check itself is checked in JS after it, as its users would. Before timing, each
// contender must accept the valid tokens and reject tampered ones (wrong audience, expired,
// bad signature, wrong tenant, missing scope), so no contender is timed doing less work.
// Contenders run interleaved (round-robin, rotating start) for >= 5 rounds; the median round is
// reported. Fresh-token rows cycle through a pool of distinct tokens, larger than any cache in
// the run, and jwtward's "cache on" fresh row asserts through cacheStats() that it never hit;
// the repeated-token section compares caches on one token.

import { spawn, spawnSync } from 'node:child_process';
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  constants as cryptoConstants,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import os from 'node:os';

import * as jwtward from 'jwtward';
import * as jose from 'jose';
import { createVerifier as fastJwtVerifier, createDecoder as fastJwtDecoder } from 'fast-jwt';
import jsonwebtoken from 'jsonwebtoken';
import { runVerifications } from './contenders.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 5 : 7;
const ROUND_MS = QUICK ? 12 : 100;
const WARMUP_MS = QUICK ? 10 : 80;
const POOL = QUICK ? 192 : 2048; // distinct tokens per algorithm for fresh-token rows
const IN_FLIGHT = 64;
// Smallest batch per round: a few slow verifications (ES384 in wasm) already fill a quick round.
const MIN_BATCH = QUICK ? 2 : 8;
const COLD_SPAWNS = 5;
const ALL_ALGS = ['HS256', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
const ALGS = process.env.BENCH_ALGS ? process.env.BENCH_ALGS.split(',').map((s) => s.trim()) : ALL_ALGS;
const started = performance.now();
// BENCH_SECTIONS=workerd,browser: only those sections (fresh, repeated, remote, decode, workerd,
// browser, cold); the sizes and the targets table are always printed.
const SECTIONS = process.env.BENCH_SECTIONS ? new Set(process.env.BENCH_SECTIONS.split(',').map((s) => s.trim())) : undefined;
const wanted = (section) => (section === 'workerd' && process.env.BENCH_WORKERD === '0' ? false : SECTIONS === undefined || SECTIONS.has(section));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---------------------------------------------------------------------------------------------
// Keys, policy, tokens

const fixtures = join(root, 'benches', 'fixtures');
const privateJwks = JSON.parse(readFileSync(join(fixtures, 'keys.json'), 'utf8')).keys;
const jwks = JSON.parse(readFileSync(join(fixtures, 'jwks.json'), 'utf8'));
const { policy: POLICY } = JSON.parse(readFileSync(join(fixtures, 'tokens.json'), 'utf8'));
const REQUIRED_SCOPE = POLICY.requiredScopes[0];

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };
// How node:crypto signs and verifies each JWS algorithm.
function cryptoParams(alg) {
  const bits = alg.slice(2);
  if (alg.startsWith('HS')) return { kind: 'hmac', hash: HASH[bits], len: Number(bits) / 8 };
  if (alg.startsWith('RS')) return { kind: 'sig', hash: HASH[bits], opts: { padding: cryptoConstants.RSA_PKCS1_PADDING } };
  if (alg.startsWith('PS')) {
    return {
      kind: 'sig',
      hash: HASH[bits],
      opts: { padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 },
    };
  }
  if (alg.startsWith('ES')) return { kind: 'sig', hash: HASH[bits], opts: { dsaEncoding: 'ieee-p1363' } };
  if (alg === 'EdDSA' || alg === 'Ed25519') return { kind: 'sig', hash: null, opts: {} };
  throw new Error(`no crypto params for ${alg}`);
}

const jwkFor = (alg) => privateJwks.find((k) => k.alg === alg);
const publicJwkFor = (alg) => jwks.keys.find((k) => k.alg === alg);
function publicKeyObject(alg) {
  const jwk = publicJwkFor(alg);
  return jwk.kty === 'oct' ? createSecretKey(Buffer.from(jwk.k, 'base64url')) : createPublicKey({ key: jwk, format: 'jwk' });
}

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
function signToken(alg, claimsOverride = {}, headerOverride = {}) {
  const jwk = jwkFor(alg);
  const now = Math.floor(Date.now() / 1000);
  const header = { alg, typ: POLICY.typ, kid: jwk.kid, ...headerOverride };
  const payload = {
    iss: POLICY.issuer,
    sub: POLICY.subject,
    aud: POLICY.audience,
    iat: now - 5,
    nbf: now - 5,
    exp: now + 1800,
    jti: `${alg}-${Math.random().toString(36).slice(2)}-${counter++}`,
    scope: 'orders:read orders:write',
    tenant_id: POLICY.claims.tenant_id,
    ...claimsOverride,
  };
  const input = `${b64(header)}.${b64(payload)}`;
  const params = cryptoParams(alg);
  let signature;
  if (params.kind === 'hmac') {
    signature = createHmac(params.hash, Buffer.from(jwk.k, 'base64url')).update(input).digest();
  } else {
    signature = cryptoSign(params.hash, Buffer.from(input), { key: privateKeyObjects.get(alg), ...params.opts });
  }
  return `${input}.${signature.toString('base64url')}`;
}
let counter = 0;
const privateKeyObjects = new Map(
  ALGS.filter((alg) => !alg.startsWith('HS')).map((alg) => [alg, createPrivateKey({ key: jwkFor(alg), format: 'jwk' })]),
);

// Tokens every contender must reject, one per policy rule we time.
function badTokens(alg) {
  const now = Math.floor(Date.now() / 1000);
  const good = signToken(alg);
  const [h, p, s] = good.split('.');
  const flipped = s[0] === 'A' ? `B${s.slice(1)}` : `A${s.slice(1)}`;
  return {
    wrong_audience: signToken(alg, { aud: 'api://other' }),
    expired: signToken(alg, { iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
    bad_signature: `${h}.${p}.${flipped}`,
    wrong_tenant: signToken(alg, { tenant_id: 'evil' }),
    missing_scope: signToken(alg, { scope: 'orders:write' }),
    wrong_typ: signToken(alg, {}, { typ: 'JWT' }),
  };
}

// ---------------------------------------------------------------------------------------------
// Contenders. Each `make(alg)` returns { fn, async, verifier? }: fn(token) verifies or throws.

// The checks a library cannot express itself, done the way its users would.
function postChecks(payload, header) {
  if (header !== undefined && header.typ !== POLICY.typ) throw new Error('typ');
  if (payload.tenant_id !== POLICY.claims.tenant_id) throw new Error('tenant_id');
  const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (Array.isArray(payload.scp)) granted.push(...payload.scp);
  if (!granted.includes(REQUIRED_SCOPE)) throw new Error('scope');
  return payload;
}

const jwtwardOptions = (cache) => ({
  jwks,
  algorithms: ALGS,
  issuer: POLICY.issuer,
  audience: POLICY.audience,
  subject: POLICY.subject,
  typ: POLICY.typ,
  requiredClaims: POLICY.requiredClaims,
  requiredScopes: POLICY.requiredScopes,
  claims: POLICY.claims,
  maxTokenAge: POLICY.maxTokenAge,
  cache,
});

// The fresh-token "cache on" row: a cache smaller than the token pool, walked in order, so an
// LRU can never hit; cacheStats() proves it after the run.
const MISS_CACHE = { maxEntries: Math.floor(POOL / 2) };

const joseLocalJwks = jose.createLocalJWKSet(jwks);
const joseOptions = (alg) => ({
  algorithms: [alg],
  issuer: POLICY.issuer,
  audience: POLICY.audience,
  subject: POLICY.subject,
  typ: POLICY.typ,
  maxTokenAge: POLICY.maxTokenAge,
  requiredClaims: [...POLICY.requiredClaims, 'iat'],
});
// jose's JWK Set resolver refuses symmetric keys: HS* get the secret directly.
const joseKey = (alg) => (alg.startsWith('HS') ? publicKeyObject(alg) : joseLocalJwks);

function fastJwtKey(alg) {
  const jwk = publicJwkFor(alg);
  return jwk.kty === 'oct' ? Buffer.from(jwk.k, 'base64url') : publicKeyObject(alg).export({ format: 'pem', type: 'spki' });
}
const fastJwtOptions = (alg, cache) => ({
  key: fastJwtKey(alg),
  algorithms: [alg],
  allowedIss: POLICY.issuer,
  allowedAud: POLICY.audience,
  allowedSub: POLICY.subject,
  checkTyp: POLICY.typ,
  maxAge: POLICY.maxTokenAge * 1000,
  requiredClaims: [...POLICY.requiredClaims, 'iat', 'exp'],
  complete: false,
  cache,
});

// A hand-written verifier on node:crypto: the floor any JS library pays (split, base64url,
// JSON.parse, key lookup, signature, claims). Keys imported once.
function rawVerifier(alg) {
  const params = cryptoParams(alg);
  const jwk = publicJwkFor(alg);
  const key = publicKeyObject(alg);
  const secret = jwk.kty === 'oct' ? Buffer.from(jwk.k, 'base64url') : null;
  return (token) => {
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) throw new Error('malformed');
    const header = JSON.parse(Buffer.from(token.slice(0, first), 'base64url').toString());
    if (header.alg !== alg || header.kid !== jwk.kid || header.crit !== undefined) throw new Error('header');
    const input = token.slice(0, second);
    const signature = Buffer.from(token.slice(second + 1), 'base64url');
    let ok;
    if (secret) {
      const mac = createHmac(params.hash, secret).update(input).digest();
      ok = mac.length === signature.length && timingSafeEqual(mac, signature);
    } else {
      ok = cryptoVerify(params.hash, Buffer.from(input), { key, ...params.opts }, signature);
    }
    if (!ok) throw new Error('bad_signature');
    const payload = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString());
    const now = Date.now() / 1000;
    if (payload.iss !== POLICY.issuer) throw new Error('iss');
    if (payload.sub !== POLICY.subject) throw new Error('sub');
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!aud.includes(POLICY.audience)) throw new Error('aud');
    if (typeof payload.exp !== 'number' || now >= payload.exp) throw new Error('exp');
    if (typeof payload.nbf === 'number' && now < payload.nbf) throw new Error('nbf');
    if (typeof payload.iat !== 'number' || payload.iat > now || now - payload.iat > POLICY.maxTokenAge) throw new Error('iat');
    return postChecks(payload, header);
  };
}

const verifierHasBackend = (() => {
  // issue 6's `backend: 'wasm'` (portable path). Only benched when the package knows the option:
  // an unknown backend value must then be refused.
  try {
    new jwtward.Verifier({ ...jwtwardOptions(false), backend: 'no-such-backend' }).free();
    return false;
  } catch {
    try {
      new jwtward.Verifier({ ...jwtwardOptions(false), backend: 'wasm' }).free();
      return true;
    } catch {
      return false;
    }
  }
})();
const verifierHasAsync = typeof jwtward.Verifier.prototype.verifyAsync === 'function';

const FRESH = [
  {
    id: 'jwtward',
    label: 'jwtward (cache off)',
    make() {
      const v = new jwtward.Verifier(jwtwardOptions(false));
      return { fn: (t) => v.verify(t), verifier: v };
    },
  },
  {
    id: 'jwtward_cache_miss',
    label: 'jwtward (cache on, all misses)',
    make() {
      const v = new jwtward.Verifier(jwtwardOptions(MISS_CACHE));
      return { fn: (t) => v.verify(t), verifier: v, expectNoHits: true };
    },
  },
  ...(verifierHasBackend
    ? [{
        id: 'jwtward_wasm',
        label: "jwtward (backend 'wasm')",
        make() {
          const v = new jwtward.Verifier({ ...jwtwardOptions(false), backend: 'wasm' });
          return { fn: (t) => v.verify(t), verifier: v };
        },
      }]
    : []),
  ...(verifierHasAsync
    ? [
        {
          id: 'jwtward_async',
          label: 'jwtward verifyAsync, 1 at a time',
          make() {
            const v = new jwtward.Verifier(jwtwardOptions(false));
            return { fn: (t) => v.verifyAsync(t), async: true, verifier: v };
          },
        },
        {
          id: 'jwtward_async64',
          label: `jwtward verifyAsync, ${IN_FLIGHT} in flight`,
          make() {
            const v = new jwtward.Verifier(jwtwardOptions(false));
            return { fn: (t) => v.verifyAsync(t), async: true, inFlight: IN_FLIGHT, verifier: v };
          },
        },
      ]
    : []),
  {
    id: 'jose',
    label: 'jose, 1 at a time',
    make(alg) {
      const key = joseKey(alg);
      const options = joseOptions(alg);
      return { fn: async (t) => postChecks((await jose.jwtVerify(t, key, options)).payload), async: true };
    },
  },
  {
    id: 'jose64',
    label: `jose, ${IN_FLIGHT} in flight`,
    make(alg) {
      const key = joseKey(alg);
      const options = joseOptions(alg);
      return {
        fn: async (t) => postChecks((await jose.jwtVerify(t, key, options)).payload),
        async: true,
        inFlight: IN_FLIGHT,
      };
    },
  },
  {
    id: 'fastjwt',
    label: 'fast-jwt (cache off)',
    make(alg) {
      const verify = fastJwtVerifier(fastJwtOptions(alg, false));
      return { fn: (t) => postChecks(verify(t)) };
    },
  },
  {
    id: 'jsonwebtoken',
    label: 'jsonwebtoken',
    supports: (alg) => !alg.startsWith('Ed'), // jsonwebtoken 9 has no EdDSA
    make(alg) {
      const key = publicKeyObject(alg);
      const options = {
        algorithms: [alg],
        issuer: POLICY.issuer,
        audience: POLICY.audience,
        subject: POLICY.subject,
        maxAge: POLICY.maxTokenAge,
        complete: true,
      };
      return {
        fn: (t) => {
          const { header, payload } = jsonwebtoken.verify(t, key, options);
          if (payload.iat === undefined) throw new Error('iat');
          return postChecks(payload, header);
        },
      };
    },
  },
  {
    id: 'raw',
    label: 'raw node:crypto.verify',
    make(alg) {
      return { fn: rawVerifier(alg) };
    },
  },
];

const REPEATED = [
  {
    id: 'jwtward_cache',
    label: 'jwtward (cache on)',
    make() {
      const v = new jwtward.Verifier(jwtwardOptions({ maxEntries: 1000 }));
      return { fn: (t) => v.verify(t), verifier: v, expectHits: true };
    },
  },
  {
    id: 'fastjwt_cache',
    label: 'fast-jwt (cache on)',
    make(alg) {
      const verify = fastJwtVerifier(fastJwtOptions(alg, true));
      return { fn: (t) => postChecks(verify(t)) };
    },
  },
  {
    id: 'jwtward_nocache',
    label: 'jwtward (cache off)',
    make() {
      const v = new jwtward.Verifier(jwtwardOptions(false));
      return { fn: (t) => v.verify(t), verifier: v };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Harness

// Runs `count` verifications from `cursor`; returns the next cursor and, for contenders timed
// elsewhere (inside workerd), the elapsed milliseconds they measured.
async function runBatch(instance, tokens, cursor, count) {
  if (instance.remote) return instance.remote(cursor, count);
  const { fn, async: isAsync, inFlight } = instance;
  const next = await runVerifications(fn, tokens, cursor, count, { sync: !isAsync, inFlight });
  return { cursor: next, ms: undefined };
}

// Runs every contender interleaved; returns { id: { median, rounds } } in ops/s.
async function measure(contenders, tokens) {
  const state = [];
  for (const c of contenders) {
    // Warm-up, which also sizes the batch for a round of ~ROUND_MS.
    let cursor = 0;
    let done = 0;
    let spent = 0;
    // "64 in flight" needs batches well above 64 to mean anything.
    const minBatch = c.instance.inFlight ? c.instance.inFlight * 2 : MIN_BATCH;
    let batch = minBatch;
    while (spent < WARMUP_MS) {
      const t0 = performance.now();
      const r = await runBatch(c.instance, tokens, cursor, batch);
      spent += r.ms ?? performance.now() - t0;
      cursor = r.cursor;
      done += batch;
      batch *= 2;
    }
    state.push({ c, cursor, batch: Math.max(minBatch, Math.round(ROUND_MS / (spent / done))), rates: [] });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < state.length; k++) {
      const s = state[(k + round) % state.length]; // rotate who goes first
      const t0 = performance.now();
      const r = await runBatch(s.c.instance, tokens, s.cursor, s.batch);
      const ms = r.ms ?? performance.now() - t0;
      s.cursor = r.cursor;
      s.rates.push(s.batch / (ms / 1000));
    }
  }
  const out = {};
  for (const s of state) {
    const sorted = [...s.rates].sort((a, b) => a - b);
    out[s.c.id] = { median: sorted[Math.floor(sorted.length / 2)], rounds: s.rates.map(Math.round) };
  }
  return out;
}

// Every contender must accept good tokens and reject each bad one before it is timed.
async function validate(contender, instance, alg, goodTokens, bad) {
  const call = async (t) => (instance.async ? await instance.fn(t) : instance.fn(t));
  for (const t of goodTokens) {
    try {
      await call(t);
    } catch (error) {
      throw new Error(`${contender.label} rejects a valid ${alg} token: ${error.code ?? ''} ${error.message}`);
    }
  }
  for (const [name, t] of Object.entries(bad)) {
    let rejected = false;
    try {
      await call(t);
    } catch {
      rejected = true;
    }
    if (!rejected) throw new Error(`${contender.label} accepts a ${alg} token with ${name}: it would be timed doing less work`);
  }
}

// ---------------------------------------------------------------------------------------------
// Output helpers

const fmtOps = (x) => (x === undefined ? 'n/a' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x >= 1e3 ? `${(x / 1e3).toFixed(2)}k` : `${x.toFixed(0)}`);
const fmtRatio = (x) => (x === undefined || !Number.isFinite(x) ? '' : `${x.toFixed(2)}x`);
function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

// ---------------------------------------------------------------------------------------------
// Sections

const results = { quick: QUICK, rounds: ROUNDS, pool: POOL, node: process.version, fresh: {}, repeated: {}, remote: {}, decode: {}, cold: {}, sizes: {}, native: null, workerd: null, browser: null, coldWorkerd: null };

function printHeader() {
  const load = os.loadavg()[0];
  console.log(`jwtward bench: Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, load ${load.toFixed(2)}${QUICK ? ', QUICK (smoke run, figures are rough)' : ''}`);
  console.log(`median of ${ROUNDS} interleaved rounds of ~${ROUND_MS} ms; fresh tokens: ${POOL} distinct per algorithm; full policy on every contender`);
  if (load > os.cpus().length * 0.75) console.log(`WARNING: load average ${load.toFixed(2)} on ${os.cpus().length} CPUs: figures will be noisy`);
  console.log(`jwtward options: ${verifierHasAsync ? 'verifyAsync ' : ''}${verifierHasBackend ? "backend:'wasm' " : ''}${!verifierHasAsync && !verifierHasBackend ? '(sync verify only)' : ''}`);
}

async function freshSection() {
  console.log('\n## Fresh tokens (every token distinct; verifications/s; ratio = jwtward (cache off) / contender)\n');
  const ids = FRESH.map((c) => c.id);
  for (const alg of ALGS) {
    const tokens = Array.from({ length: POOL }, () => signToken(alg));
    const bad = badTokens(alg);
    const contenders = [];
    for (const c of FRESH) {
      if (c.supports && !c.supports(alg)) continue;
      const instance = c.make(alg);
      await validate(c, instance, alg, tokens.slice(0, 3), bad);
      contenders.push({ ...c, instance });
    }
    // Validation verified a few tokens: reset the miss-only cache so its counters start clean.
    for (const c of contenders) {
      if (c.instance.expectNoHits) {
        c.instance.verifier.free();
        const v = new jwtward.Verifier(jwtwardOptions(MISS_CACHE));
        c.instance = { ...c.instance, fn: (t) => v.verify(t), verifier: v };
      }
    }
    const measured = await measure(contenders, tokens);
    for (const c of contenders) {
      if (c.instance.expectNoHits) {
        const stats = c.instance.verifier.cacheStats?.();
        if (stats && stats.hits !== 0) throw new Error(`the fresh-token cache row hit its cache ${stats.hits} times: the pool is too small`);
      }
      c.instance.verifier?.free();
    }
    results.fresh[alg] = { ...measured };
    const base = measured.jwtward.median;
    console.log(`${alg}: ${contenders.map((c) => `${c.id} ${fmtOps(measured[c.id].median)}`).join(', ')}`);
    results.fresh[alg].ratios = Object.fromEntries(ids.filter((id) => measured[id]).map((id) => [id, base / measured[id].median]));
  }
  console.log('');
  table(
    ['contender', ...ALGS],
    FRESH.map((c) => [c.label, ...ALGS.map((alg) => fmtOps(results.fresh[alg]?.[c.id]?.median))]),
  );
  console.log('\nratio jwtward (cache off) / contender (> 1: jwtward faster)\n');
  table(
    ['contender', ...ALGS],
    FRESH.filter((c) => c.id !== 'jwtward').map((c) => [c.label, ...ALGS.map((alg) => fmtRatio(results.fresh[alg]?.ratios?.[c.id]))]),
  );
}

async function repeatedSection() {
  console.log('\n## Repeated token (the same token every time: what a cache is for)\n');
  for (const alg of ALGS) {
    const token = [signToken(alg)];
    const contenders = [];
    for (const c of REPEATED) {
      const instance = c.make(alg);
      await validate(c, instance, alg, token, badTokens(alg));
      contenders.push({ ...c, instance });
    }
    const measured = await measure(contenders, token);
    for (const c of contenders) {
      if (c.instance.expectHits) {
        const stats = c.instance.verifier.cacheStats?.();
        if (stats && stats.hits === 0) throw new Error('the repeated-token cache row never hit its cache');
      }
      c.instance.verifier?.free();
    }
    results.repeated[alg] = { ...measured, ratio: measured.jwtward_cache.median / measured.fastjwt_cache.median };
  }
  table(
    ['contender', ...ALGS],
    [
      ...REPEATED.map((c) => [c.label, ...ALGS.map((alg) => fmtOps(results.repeated[alg]?.[c.id]?.median))]),
      ['ratio jwtward cache / fast-jwt cache', ...ALGS.map((alg) => fmtRatio(results.repeated[alg]?.ratio))],
    ],
  );
}

// Issue 12: keys fetched from the issuer cost nothing once loaded. One RemoteJwks (a loopback
// server publishing the bench's public keys) shared by a Verifier per algorithm, against the same
// set given inline; verifyAsync, cache off, fresh tokens. The server must see exactly one fetch.
async function remoteKeysSection() {
  console.log('\n## Remote keys (verifyAsync, cache off, fresh tokens: a warm RemoteJwks vs the same JWK Set inline)\n');
  const algs = ALGS.filter((alg) => !alg.startsWith('HS')); // a published JWK Set holds no secrets
  if (algs.length === 0) return;
  const publicSet = { keys: jwks.keys.filter((key) => key.kty !== 'oct') };
  let fetches = 0;
  const server = createServer((_request, response) => {
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'max-age=3600' });
    response.end(JSON.stringify(publicSet));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const keys = new jwtward.RemoteJwks({ jwksUri: `http://127.0.0.1:${server.address().port}/jwks.json`, issuer: POLICY.issuer, store: null });
    await keys.ready();
    for (const alg of algs) {
      const tokens = Array.from({ length: POOL }, () => signToken(alg));
      const inline = new jwtward.Verifier({ ...jwtwardOptions(false), jwks: publicSet });
      const remote = new jwtward.Verifier({ ...jwtwardOptions(false), jwks: keys });
      const contenders = [
        { id: 'inline', label: 'inline JWK Set', instance: { fn: (t) => inline.verifyAsync(t), async: true } },
        { id: 'remote', label: 'RemoteJwks (warm)', instance: { fn: (t) => remote.verifyAsync(t), async: true } },
      ];
      for (const c of contenders) await validate(c, c.instance, alg, tokens.slice(0, 3), badTokens(alg));
      const measured = await measure(contenders, tokens);
      inline.free();
      remote.free();
      results.remote[alg] = { ...measured, ratio: measured.remote.median / measured.inline.median };
    }
    if (fetches !== 1) throw new Error(`the warm remote keys were fetched ${fetches} times: verification must never fetch`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
  table(
    ['keys', ...algs],
    [
      ['inline JWK Set', ...algs.map((alg) => fmtOps(results.remote[alg].inline.median))],
      ['RemoteJwks (warm)', ...algs.map((alg) => fmtOps(results.remote[alg].remote.median))],
      ['remote / inline', ...algs.map((alg) => fmtRatio(results.remote[alg].ratio))],
    ],
  );
  console.log(`\n(one JWK Set fetch for the whole section: ${fetches})`);
}

async function decodeSection() {
  console.log('\n## Decode only (nothing verified; RS256 tokens)\n');
  const alg = ALGS.includes('RS256') ? 'RS256' : ALGS[0];
  const tokens = Array.from({ length: 64 }, () => signToken(alg));
  const fastDecode = fastJwtDecoder({ complete: true });
  const contenders = [
    { id: 'jwtward', label: 'jwtward decode', instance: { fn: (t) => jwtward.decode(t) } },
    { id: 'jose', label: 'jose decodeProtectedHeader + decodeJwt', instance: { fn: (t) => [jose.decodeProtectedHeader(t), jose.decodeJwt(t)] } },
    { id: 'fastjwt', label: 'fast-jwt createDecoder', instance: { fn: (t) => fastDecode(t) } },
    { id: 'jsonwebtoken', label: 'jsonwebtoken decode', instance: { fn: (t) => jsonwebtoken.decode(t, { complete: true }) } },
  ];
  const measured = await measure(contenders, tokens);
  results.decode = measured;
  table(['decoder', 'ops/s', 'jwtward / it'], contenders.map((c) => [c.label, fmtOps(measured[c.id].median), c.id === 'jwtward' ? '' : fmtRatio(measured.jwtward.median / measured[c.id].median)]));
}

function nativeSection() {
  const candidates = [
    process.env.BENCH_NATIVE_JSON,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, 'bench-native.json'),
    join(root, 'target', 'bench-native.json'),
  ].filter(Boolean);
  const path = candidates.find((p) => existsSync(p));
  console.log('\n## Native Rust vs WebAssembly (jwtward, cache off, full policy)\n');
  if (!path) {
    console.log('no native figures: run `cargo bench --bench verify -- --json` (writes target/bench-native.json)');
    return;
  }
  const native = JSON.parse(readFileSync(path, 'utf8'));
  results.native = native;
  const ageMin = native.unixTime ? Math.round((Date.now() / 1000 - native.unixTime) / 60) : undefined;
  console.log(`native figures from ${path}${ageMin !== undefined ? ` (${ageMin} min old)` : ''}`);
  const rows = ALGS.map((alg) => {
    const n = native.results?.[`verify ${alg}`]?.opsPerSec;
    const w = results.fresh[alg]?.jwtward?.median;
    return [alg, fmtOps(n), fmtOps(w), n && w ? fmtRatio(w / n) : ''];
  });
  const nd = native.results?.['decode (all algs)']?.opsPerSec;
  rows.push(['decode', fmtOps(nd), fmtOps(results.decode.jwtward?.median), '']);
  table(['alg', 'native', 'wasm in Node', 'wasm / native'], rows);
  console.log('(native decode mixes every algorithm; the wasm decode row uses RS256 tokens)');
}

// Spawn to first verified token, jwtward vs jose: median of COLD_SPAWNS interleaved spawns.
async function coldStartSection() {
  console.log(`\n## Cold start (spawn node, import, build the verifier, verify one RS256/ES256 token; median of ${COLD_SPAWNS})\n`);
  const alg = ALGS.includes('RS256') ? 'RS256' : ALGS.find((a) => !a.startsWith('HS')) ?? ALGS[0];
  const token = signToken(alg);
  const env = { ...process.env, BENCH_TOKEN: token, BENCH_JWKS: JSON.stringify(jwks), BENCH_POLICY: JSON.stringify(POLICY), BENCH_ALG: alg };
  const scripts = {
    baseline: `process.stdout.write('ok')`,
    jwtward: `
      const { Verifier } = await import('jwtward');
      const p = JSON.parse(process.env.BENCH_POLICY);
      const v = new Verifier({ jwks: JSON.parse(process.env.BENCH_JWKS), algorithms: [process.env.BENCH_ALG], issuer: p.issuer,
        audience: p.audience, subject: p.subject, typ: p.typ, requiredClaims: p.requiredClaims, requiredScopes: p.requiredScopes,
        claims: p.claims, maxTokenAge: p.maxTokenAge });
      v.verify(process.env.BENCH_TOKEN);
      process.stdout.write('ok');`,
    jose: `
      const { jwtVerify, createLocalJWKSet } = await import('jose');
      const p = JSON.parse(process.env.BENCH_POLICY);
      const { payload } = await jwtVerify(process.env.BENCH_TOKEN, createLocalJWKSet(JSON.parse(process.env.BENCH_JWKS)), {
        algorithms: [process.env.BENCH_ALG], issuer: p.issuer, audience: p.audience, subject: p.subject, typ: p.typ,
        maxTokenAge: p.maxTokenAge, requiredClaims: p.requiredClaims });
      if (payload.tenant_id !== p.claims.tenant_id || !payload.scope.split(' ').includes(p.requiredScopes[0])) throw new Error('claims');
      process.stdout.write('ok');`,
  };
  const spawnOnce = (code) =>
    new Promise((resolveSpawn, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (status) => {
        const ms = performance.now() - t0;
        if (status !== 0 || out !== 'ok') reject(new Error(`cold start child failed (${status}): ${err.slice(0, 400)}`));
        else resolveSpawn(ms);
      });
    });
  const times = { baseline: [], jwtward: [], jose: [] };
  for (let i = 0; i < COLD_SPAWNS; i++) {
    for (const name of i % 2 ? ['jose', 'jwtward', 'baseline'] : ['baseline', 'jwtward', 'jose']) times[name].push(await spawnOnce(scripts[name]));
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  results.cold = { alg, ms: m, spawns: times };
  table(
    ['', 'ms (spawn to exit)', 'minus bare node'],
    [
      ['bare node -e', m.baseline.toFixed(1), ''],
      ['jwtward', m.jwtward.toFixed(1), (m.jwtward - m.baseline).toFixed(1)],
      ['jose', m.jose.toFixed(1), (m.jose - m.baseline).toFixed(1)],
    ],
  );
}

function sizesSection() {
  console.log('\n## Package size\n');
  const wasm = join(root, 'pkg', 'dist', 'jwtward_bg.wasm');
  if (!existsSync(wasm)) {
    console.log('pkg/dist/jwtward_bg.wasm not found (npm run build)');
    return;
  }
  const bytes = readFileSync(wasm);
  // GNU gzip -9 is the reference the build's budget uses (Node's zlib deflate comes out ~1%
  // larger on this module); zlib when gzip is not installed.
  const gnu = spawnSync('gzip', ['-9', '-n', '-c', wasm], { maxBuffer: 64 * 1024 * 1024 });
  const zlibSize = gzipSync(bytes, { level: 9 }).length;
  const gz = gnu.status === 0 && gnu.stdout.length > 0 ? gnu.stdout.length : zlibSize;
  const br = brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  results.sizes = { raw: bytes.length, gzip: gz, zlib: zlibSize, brotli: br };
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`jwtward_bg.wasm: ${kib(bytes.length)} raw, ${kib(gz)} gzip -9, ${kib(br)} brotli (budget: 150 KiB gzip)${gz > 150 * 1024 ? '  OVER BUDGET' : ''}`);
}

// The same comparison inside workerd (Miniflare from npm, the runtime of Cloudflare Workers) and
// inside headless Chromium: the contenders of contenders.mjs (jwtward through the runtime's own
// export condition, jose, a raw WebCrypto verifier), timed inside the runtime.
const EDGE_POOL = QUICK ? 64 : 512;
const EDGE_LABELS = {
  jwtward: 'jwtward verify (sync)',
  jwtward_async: 'jwtward verifyAsync, 1 at a time',
  jwtward_async64: `jwtward verifyAsync, ${IN_FLIGHT} in flight`,
  jose: 'jose, 1 at a time',
  jose64: `jose, ${IN_FLIGHT} in flight`,
  webcrypto: 'raw WebCrypto, 1 at a time',
  webcrypto64: `raw WebCrypto, ${IN_FLIGHT} in flight`,
};

/**
 * Runs the contenders of contenders.mjs through `call(method, body)` (the runtime's setup/run),
 * prints the table and returns the figures per algorithm.
 */
async function edgeRuntime(name, call) {
  const tokens = Object.fromEntries(ALGS.map((alg) => [alg, Array.from({ length: EDGE_POOL }, () => signToken(alg))]));
  const bad = Object.fromEntries(ALGS.map((alg) => [alg, badTokens(alg)]));
  const info = await call('setup', { jwks, policy: POLICY, algs: ALGS, tokens, bad });
  if (info.failures.length) throw new Error(`${name} contenders failed validation:\n  ${info.failures.join('\n  ')}`);
  const out = { asyncVerify: info.asyncVerify };
  for (const alg of ALGS) {
    const contenders = info.contenders.map((id) => ({
      id,
      label: EDGE_LABELS[id] ?? id,
      instance: {
        remote: (cursor, count) => call('run', { contender: id, alg, cursor, count }),
        inFlight: id.endsWith('64') ? IN_FLIGHT : undefined,
      },
    }));
    out[alg] = await measure(contenders, tokens[alg]);
  }
  const ratio = (alg, a, b) => out[alg][a] && out[alg][b] && out[alg][a].median / out[alg][b].median;
  table(
    ['contender', ...ALGS],
    [
      ...info.contenders.map((id) => [EDGE_LABELS[id] ?? id, ...ALGS.map((alg) => fmtOps(out[alg][id]?.median))]),
      ['verifyAsync / raw WebCrypto, 1 at a time', ...ALGS.map((alg) => fmtRatio(ratio(alg, 'jwtward_async', 'webcrypto')))],
      [`verifyAsync / raw WebCrypto, ${IN_FLIGHT} in flight`, ...ALGS.map((alg) => fmtRatio(ratio(alg, 'jwtward_async64', 'webcrypto64')))],
      ['verifyAsync / jose, 1 at a time', ...ALGS.map((alg) => fmtRatio(ratio(alg, 'jwtward_async', 'jose')))],
      ['raw WebCrypto / jose, 1 at a time (the ceiling)', ...ALGS.map((alg) => fmtRatio(ratio(alg, 'webcrypto', 'jose')))],
    ],
  );
  return out;
}

/**
 * esbuild of `entry` (a file, or `{ contents }` of a module resolved from the repository root) as
 * wrangler bundles a Worker: the `workerd` condition first, the .wasm kept as a module.
 */
async function bundleForWorkerd(esbuild, entry, outdir) {
  await esbuild.build({
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: { contents: entry.contents, resolveDir: root, sourcefile: 'worker.mjs' } }),
    outfile: join(outdir, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    loader: { '.wasm': 'copy' },
    logLevel: 'silent',
  });
}

async function startMiniflare(Miniflare, outdir) {
  const compatibilityDate = /^compatibility_date = "(.+)"$/m.exec(readFileSync(join(root, 'wrangler.toml'), 'utf8'))?.[1] ?? '2026-04-20';
  const mf = new Miniflare({
    modules: true,
    modulesRoot: outdir,
    scriptPath: join(outdir, 'index.js'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate,
  });
  await mf.ready;
  return mf;
}

async function edgeTools() {
  try {
    const esbuild = await import('esbuild');
    const { Miniflare } = await import('miniflare');
    return { esbuild, Miniflare };
  } catch (error) {
    console.log(`skipped: esbuild or miniflare not importable (${error.message})`);
    return undefined;
  }
}

async function workerdSection() {
  console.log('\n## workerd (Miniflare): verifications/s timed inside the Worker, fresh tokens\n');
  if (!wanted('workerd')) return;
  const tools = await edgeTools();
  if (!tools) return;
  const { mkdtempSync, rmSync } = await import('node:fs');
  const outdir = mkdtempSync(join(os.tmpdir(), 'jwtward-bench-workerd-'));
  let mf;
  try {
    await bundleForWorkerd(tools.esbuild, join(root, 'benches', 'js', 'workerd-worker.mjs'), outdir);
    mf = await startMiniflare(tools.Miniflare, outdir);
    results.workerd = await edgeRuntime('workerd', async (method, body) => {
      const response = await mf.dispatchFetch(`http://bench/${method}`, { method: 'POST', body: JSON.stringify(body) });
      const json = await response.json();
      if (!response.ok) throw new Error(`workerd ${method}: ${json.error}`);
      return json;
    });
  } catch (error) {
    results.workerd = { error: error.message };
    console.log(`workerd section FAILED: ${error.message}`);
    process.exitCode = 1;
  } finally {
    await mf?.dispose().catch(() => {});
    rmSync(outdir, { recursive: true, force: true });
  }
}

// Headless Chromium (Debian's, through playwright-core): the package's browser entry, jose's
// browser build and the raw WebCrypto verifier in one page, loaded from a loopback server.
async function browserSection() {
  console.log('\n## Browser (headless Chromium): verifications/s timed inside the page, fresh tokens\n');
  if (!wanted('browser')) return;
  let testkit;
  try {
    testkit = await import('../../pkg/testkit/chromium.mjs');
  } catch (error) {
    console.log(`skipped: the Chromium test kit is not importable (${error.message})`);
    return;
  }
  if (!existsSync(testkit.CHROMIUM)) {
    console.log(`skipped: ${testkit.CHROMIUM} not installed (scripts/setup.sh installs it)`);
    return;
  }
  const imports = { jwtward: `/pkg/${testkit.browserEntry}`, jose: '/jose/index.js' };
  const page = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">
import * as jwtward from 'jwtward';
import * as jose from 'jose';
import { createBench } from '/bench/contenders.mjs';
await jwtward.ready();
window.__bench = createBench(jwtward, jose);
</script>`;
  const server = await testkit.servePackage(
    { '/': page },
    { roots: { '/bench/': join(root, 'benches', 'js'), '/jose/': join(root, 'node_modules', 'jose', 'dist', 'webapi') } },
  );
  let browser;
  try {
    browser = await testkit.launchChromium();
    const tab = browser.pages()[0] ?? (await browser.newPage());
    const pageErrors = [];
    tab.on('pageerror', (error) => pageErrors.push(String(error)));
    await tab.goto(`${server.origin}/`);
    await tab.waitForFunction(() => window.__bench !== undefined, null, { timeout: 30_000 }).catch(() => {
      throw new Error(`the bench page did not start: ${pageErrors.join('; ') || 'no error reported'}`);
    });
    results.browser = await edgeRuntime('Chromium', (method, body) => tab.evaluate(([m, b]) => window.__bench[m](b), [method, body]));
  } catch (error) {
    results.browser = { error: error.message };
    console.log(`browser section FAILED: ${error.message}`);
    process.exitCode = 1;
  } finally {
    await browser?.close();
    server.close();
  }
}

// Cold start in workerd: a new workerd (Miniflare) with a Worker that verifies one RS256 token on
// its first request, from `new Miniflare` to the answer; jwtward (verifyAsync, as a Worker does)
// vs jose vs a Worker that answers at once. Interleaved, median of COLD_SPAWNS.
async function workerdColdSection() {
  console.log(`\n## Cold start in workerd (new workerd, load the Worker, verify one RS256 token; median of ${COLD_SPAWNS})\n`);
  if (!wanted('workerd')) return;
  const tools = await edgeTools();
  if (!tools) return;
  const alg = ALGS.includes('RS256') ? 'RS256' : ALGS.find((a) => !a.startsWith('HS')) ?? ALGS[0];
  const body = JSON.stringify({ jwks, policy: POLICY, alg, token: signToken(alg) });
  const sources = {
    baseline: `export default { async fetch(request) { await request.text(); return new Response('ok'); } };`,
    jwtward: `import { Verifier } from 'jwtward';
export default { async fetch(request) {
  const { jwks, policy: p, alg, token } = await request.json();
  const v = new Verifier({ jwks, algorithms: [alg], issuer: p.issuer, audience: p.audience, subject: p.subject, typ: p.typ,
    requiredClaims: p.requiredClaims, requiredScopes: p.requiredScopes, claims: p.claims, maxTokenAge: p.maxTokenAge });
  await v.verifyAsync(token);
  return new Response('ok');
} };`,
    jose: `import { jwtVerify, createLocalJWKSet } from 'jose';
export default { async fetch(request) {
  const { jwks, policy: p, alg, token } = await request.json();
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: [alg], issuer: p.issuer, audience: p.audience,
    subject: p.subject, typ: p.typ, maxTokenAge: p.maxTokenAge, requiredClaims: p.requiredClaims });
  if (payload.tenant_id !== p.claims.tenant_id || !payload.scope.split(' ').includes(p.requiredScopes[0])) throw new Error('claims');
  return new Response('ok');
} };`,
  };
  const { mkdtempSync, rmSync } = await import('node:fs');
  const dirs = {};
  try {
    for (const [name, contents] of Object.entries(sources)) {
      dirs[name] = mkdtempSync(join(os.tmpdir(), `jwtward-bench-cold-${name}-`));
      await bundleForWorkerd(tools.esbuild, { contents }, dirs[name]);
    }
    const once = async (name) => {
      const t0 = performance.now();
      const mf = await startMiniflare(tools.Miniflare, dirs[name]);
      try {
        const response = await mf.dispatchFetch('http://bench/', { method: 'POST', body });
        const text = await response.text();
        if (text !== 'ok') throw new Error(`cold ${name}: ${text.slice(0, 300)}`);
        return performance.now() - t0;
      } finally {
        await mf.dispose();
      }
    };
    const times = { baseline: [], jwtward: [], jose: [] };
    for (let i = 0; i < COLD_SPAWNS; i++) {
      for (const name of i % 2 ? ['jose', 'jwtward', 'baseline'] : ['baseline', 'jwtward', 'jose']) times[name].push(await once(name));
    }
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    results.coldWorkerd = { alg, ms: m, starts: times };
    table(
      ['', 'ms (new workerd to answer)', 'minus the empty Worker'],
      [
        ['empty Worker', m.baseline.toFixed(1), ''],
        ['jwtward', m.jwtward.toFixed(1), (m.jwtward - m.baseline).toFixed(1)],
        ['jose', m.jose.toFixed(1), (m.jose - m.baseline).toFixed(1)],
      ],
    );
  } catch (error) {
    results.coldWorkerd = { error: error.message };
    console.log(`workerd cold start FAILED: ${error.message}`);
    process.exitCode = 1;
  } finally {
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  }
}

// Issue 16's targets, as measured in this run (the Worker under load and the guards: `npm run
// load` and `npm run load:guards` print theirs).
function targetsSection() {
  console.log('\n## Targets (issue 16), this run\n');
  const rows = [];
  const check = (what, ratio, goal, unit = 'x', atMost = false) => {
    const shown = ratio === undefined || !Number.isFinite(ratio) ? '' : unit === 'x' ? fmtRatio(ratio) : `${ratio.toFixed(1)} ${unit}`;
    const met = ratio === undefined || !Number.isFinite(ratio) ? 'n/a' : (atMost ? ratio <= goal : ratio >= goal) ? 'met' : 'NOT met';
    rows.push([what, shown, `${atMost ? '<=' : '>='} ${goal.toFixed(unit === 'x' ? 2 : 1)}${unit === 'x' ? 'x' : ` ${unit}`}`, met]);
  };
  for (const alg of ALGS) check(`Node fresh ${alg}: jwtward / raw node:crypto`, results.fresh[alg]?.ratios?.raw, alg.startsWith('HS') ? 0.9 : 0.97);
  for (const alg of ALGS) check(`Node fresh ${alg}: jwtward / fast-jwt (cache off)`, results.fresh[alg]?.ratios?.fastjwt, 1.0);
  for (const [name, figures] of [['workerd', results.workerd], ['Chromium', results.browser]]) {
    if (!figures?.asyncVerify) continue;
    for (const alg of ALGS) {
      const f = figures[alg];
      check(`${name} ${alg}: verifyAsync / raw WebCrypto (1 at a time)`, f?.jwtward_async && f.webcrypto && f.jwtward_async.median / f.webcrypto.median, 0.95);
      check(`${name} ${alg}: verifyAsync / raw WebCrypto (${IN_FLIGHT} in flight)`, f?.jwtward_async64 && f.webcrypto64 && f.jwtward_async64.median / f.webcrypto64.median, 0.95);
    }
  }
  check('decode only: jwtward / jose', results.decode.jwtward && results.decode.jose && results.decode.jwtward.median / results.decode.jose.median, 1.0);
  // Remote keys once warm: the same as the JWK Set inline, within this machine's noise.
  for (const alg of Object.keys(results.remote)) check(`remote keys ${alg}: RemoteJwks (warm) / inline`, results.remote[alg].ratio, 0.95);
  if (results.sizes.gzip) check('edge module, gzip -9', results.sizes.gzip / 1024, 150, 'KiB', true);
  if (results.cold.ms) check('cold start, Node: jose time / jwtward time', results.cold.ms.jose / results.cold.ms.jwtward, 1.0);
  if (results.coldWorkerd?.ms) check('cold start, workerd: jose time / jwtward time', results.coldWorkerd.ms.jose / results.coldWorkerd.ms.jwtward, 1.0);
  table(['target', 'measured', 'goal', ''], rows);
  if (!verifierHasAsync) console.log('(verifyAsync is not in this build: its targets are not measured)');
  console.log('(the Worker under load and the guards: `npm run load`, `npm run load:guards`)');
}

// ---------------------------------------------------------------------------------------------

printHeader();
if (wanted('fresh')) await freshSection();
if (wanted('repeated')) await repeatedSection();
if (wanted('remote')) await remoteKeysSection();
if (wanted('decode')) await decodeSection();
if (wanted('fresh') && wanted('decode')) nativeSection();
await workerdSection();
await browserSection();
if (wanted('cold')) await coldStartSection();
await workerdColdSection();
sizesSection();
targetsSection();
console.log(`\nbench done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (process.env.BENCH_JSON) {
  writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2) + '\n');
  console.log(`wrote ${process.env.BENCH_JSON}`);
}
