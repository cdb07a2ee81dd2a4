// The key-source scenarios of issue 12, written once and run in every runtime by thin runners:
// Node (pkg/test/keys-node.test.mjs), workerd through miniflare (keys-workerd.test.mjs) and
// headless Chromium (keys-browser.test.mjs). Each scenario makes its own issuers on the issuer
// server (issuer-server.mjs, run by the Node test process) and asserts verdicts and the exact
// number of fetches each issuer saw, so every runtime is held to the same numbers.
//
// Runtime-neutral on purpose: fetch, btoa, crypto.getRandomValues and the jwtward API, nothing
// else. Time for the key sources is a fake clock (`clock` option) advanced by the scenarios, so
// TTLs, cooldowns, backoff and `maxStale` are exact and cost no waiting; tokens are verified at
// the real time (they are signed with it). Background work goes to a `waitUntil` the scenario
// then awaits, as a Worker host would keep it alive.

const AUDIENCE = 'api://test';

/** Runs scenario `name`; resolves `{ ok, notes, error?, output? }` (never rejects). */
export async function runScenario(name, env) {
  const t = context(env);
  try {
    const output = await SCENARIOS[name](t, env.input);
    return { ok: true, notes: t.notes, output };
  } catch (error) {
    return { ok: false, notes: t.notes, error: String(error?.stack ?? error) };
  }
}

/** Scenarios every runner runs; `store-prime` then `store-fresh` run as a pair. */
export const SCENARIO_NAMES = () => Object.keys(SCENARIOS);

function context({ api, control, stores }) {
  const notes = [];
  const pending = [];
  let now = Date.now();

  async function call(path) {
    const response = await fetch(`${control}${path}`);
    const body = await response.json();
    if (!response.ok) throw new Error(`${path}: ${JSON.stringify(body)}`);
    return body;
  }

  const t = {
    api,
    notes,
    clock: {
      now: () => now,
      /** Moves the key sources' time forward by `seconds`. */
      advance(seconds) {
        now += seconds * 1000;
      },
    },
    waitUntil: (promise) => {
      pending.push(promise);
    },
    /** Waits for the background work handed to waitUntil (and what it started in turn). */
    async settle() {
      while (pending.length > 0) await Promise.allSettled(pending.splice(0));
    },
    pendingCount: () => pending.length,
    stores,

    /** A fresh fault issuer: `{ issuer, jwksUri, sign(), addKey(), publish(), set(), counts() }`. */
    async issuer() {
      const info = await call('/new');
      const at = (op, params = {}) => call(`/control/${info.id}/${op}?${new URLSearchParams(params)}`);
      return {
        ...info,
        sign: async (claims = {}, { kid, header } = {}) =>
          (await at('sign', { claims: JSON.stringify(claims), header: JSON.stringify(header ?? {}), ...(kid ? { kid } : {}) })).token,
        addKey: (kid) => at('addKey', { kid }),
        publish: (...kids) => at('publish', { kids: kids.join(',') }),
        set: (values) => at('set', values),
        counts: () => at('counts'),
      };
    },

    /** The oidc-provider issuer: reset (a fresh provider), rotate, retire, token, counts. */
    oidc: {
      reset: () => call('/oidc/reset'),
      rotate: () => call('/oidc/rotate'),
      retire: () => call('/oidc/retire'),
      token: async (scope) => (await call(`/oidc/token?${new URLSearchParams({ scope })}`)).token,
      counts: () => call('/oidc/counts'),
    },

    /** Asserts deep equality (JSON) and records the value, so a runner can show what was seen. */
    expect(actual, expected, what) {
      const got = JSON.stringify(actual);
      notes.push([what, actual]);
      if (got !== JSON.stringify(expected)) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${got}`);
    },
    ok(condition, what) {
      notes.push([what, Boolean(condition)]);
      if (!condition) throw new Error(`${what}: not so`);
    },

    /** 'valid', or the code of the JwtError thrown or rejected with. */
    async outcome(run) {
      try {
        const result = await run();
        return result !== null && typeof result === 'object' && 'payload' in result ? 'valid' : result;
      } catch (error) {
        if (error instanceof api.JwtError) return error.code;
        throw error;
      }
    },
    /** The JwtError thrown or rejected with. */
    async failure(run) {
      try {
        await run();
      } catch (error) {
        if (error instanceof api.JwtError) return error;
        throw error;
      }
      throw new Error('expected a JwtError, got a result');
    },

    /** An ES256-looking token for `iss` with a made-up kid and a random signature. */
    forged(iss, kid = randomKid()) {
      const now = Math.floor(Date.now() / 1000);
      return `${b64({ alg: 'ES256', kid, typ: 'at+jwt' })}.${b64({ iss, aud: AUDIENCE, sub: 'mallory', exp: now + 600 })}.${b64bytes(random(64))}`;
    },

    /** An event log for `onEvent`. */
    events() {
      const list = [];
      return {
        list,
        onEvent: (event) => list.push(event),
        of: (type) => list.filter((event) => event.type === type),
      };
    },

    /** Verifier options for a fault issuer's JWK Set URL, fake clock, no store. */
    fetched(issuer, more = {}) {
      return { issuer: issuer.issuer, jwksUri: issuer.jwksUri, audience: AUDIENCE, algorithms: ['ES256'], clock: t.clock.now, store: null, ...more };
    },
  };
  return t;
}

function random(length) {
  return crypto.getRandomValues(new Uint8Array(length));
}

function randomKid() {
  return [...random(8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function b64bytes(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64(value) {
  return b64bytes(new TextEncoder().encode(JSON.stringify(value)));
}

function kidOf(token) {
  const header = token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(header)).kid;
}

const SCENARIOS = {
  /**
   * A real OpenID provider named only by its URL: discovery, then a rotation (new key first,
   * old removed later). Tokens of both generations behave as the JWK Set says, one fetch per
   * change: the new kid refetches once; the removal is seen at the TTL (20 s here), and the old
   * kid's miss is then inside the cooldown (30 s), so it fetches nothing more.
   */
  async 'oidc-provider discovery and rotation'(t) {
    const { Verifier } = t.api;
    const { issuer, kid: kid1 } = await t.oidc.reset();
    const log = t.events();
    const verifier = new Verifier({ issuer, discovery: true, audience: 'api://orders', clock: t.clock.now, minTtl: 1, maxTtl: 20, store: null, onEvent: log.onEvent });
    const token1 = await t.oidc.token('orders:read');
    t.expect(kidOf(token1), kid1, 'the provider signs with its key');
    t.expect(await t.outcome(() => verifier.verifyAsync(token1)), 'valid', 'first token: keys discovered and fetched');
    t.expect(await t.oidc.counts(), { oidc: 1, oauth: 0, jwks: 1 }, 'one metadata and one JWK Set fetch');
    t.expect(await t.outcome(() => verifier.verify(token1)), 'valid', 'sync verify once the keys are loaded');
    t.expect((await verifier.verifyAsync(token1)).payload.client_id, 'orders-sync', 'the client of the client-credentials grant');

    const { kid: kid2 } = await t.oidc.rotate();
    t.clock.advance(1);
    const token2 = await t.oidc.token('orders:read orders:write');
    t.expect(kidOf(token2), kid2, 'the new key signs after the rotation');
    t.expect(await t.outcome(() => verifier.verifyAsync(token2)), 'valid', 'new generation: verified after one refetch');
    t.expect(await t.outcome(() => verifier.verifyAsync(token1)), 'valid', 'old generation: its key is still published');
    t.expect(await t.oidc.counts(), { oidc: 1, oauth: 0, jwks: 2 }, 'one fetch for the new key');

    await t.oidc.retire();
    t.clock.advance(21);
    t.expect(await t.outcome(() => verifier.verifyAsync(token2)), 'valid', 'past the TTL the keys are refreshed first');
    t.expect(await t.outcome(() => verifier.verifyAsync(token1)), 'ERR_JWT_KEY_NOT_FOUND', 'the removed key no longer verifies (not even from the cache)');
    t.expect(await t.outcome(() => verifier.verify(token1)), 'ERR_JWT_KEY_NOT_FOUND', 'nor synchronously');
    t.expect(await t.oidc.counts(), { oidc: 2, oauth: 0, jwks: 3 }, 'one fetch for the removal (and the metadata past its TTL)');
    t.expect(log.of('keys_rotated').map((e) => [e.added.length, e.removed.length]), [[1, 0], [1, 0], [0, 1]], 'three key sets: first, key added, key removed');
    t.ok(log.of('kid_miss_refused').length >= 1, 'the old kid was refused by the cooldown');
    verifier.free();
  },

  /** TTL from max-age minus Age, background refresh in the last fifth, clamped to [1 min, 24 h]. */
  async 'TTL, background refresh and clamping'(t) {
    const { Verifier } = t.api;
    const iss = await t.issuer();
    await iss.set({ cacheControl: 'public, max-age=120', age: '20' });
    // waitUntil as an option of the key source: the default of calls that give none.
    const verifier = new Verifier(t.fetched(iss, { waitUntil: t.waitUntil }));
    const token = await iss.sign();
    const opts = {};
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', 'loaded');
    t.expect((await iss.counts()).jwks, 1, 'one fetch');
    // TTL = 120 - 20 = 100 s; the background refresh starts in its last fifth (80 s).
    t.clock.advance(79);
    t.expect(await t.outcome(() => verifier.verify(token, opts)), 'valid', 'at 79 s');
    await t.settle();
    t.expect((await iss.counts()).jwks, 1, 'no fetch before the last fifth of the TTL');
    t.clock.advance(2);
    t.expect(await t.outcome(() => verifier.verify(token, opts)), 'valid', 'at 81 s: served at once with the current keys');
    t.ok(t.pendingCount() >= 1, 'the refresh was handed to waitUntil');
    await t.settle();
    t.expect((await iss.counts()).jwks, 2, 'one background refresh');

    // max-age=5 is clamped up to the 60 s minimum.
    await iss.set({ cacheControl: 'max-age=5', age: '' });
    t.clock.advance(101);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', 'past the TTL: waits for fresh keys');
    t.expect((await iss.counts()).jwks, 3, 'one fetch past the TTL');
    t.clock.advance(47);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', '47 s later');
    await t.settle();
    t.expect((await iss.counts()).jwks, 3, 'max-age=5 kept for 60 s (refresh from 48 s)');
    // max-age past a day is clamped down to 24 h.
    await iss.set({ cacheControl: 'max-age=9999999' });
    t.clock.advance(14);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', 'at 61 s: expired, refreshed');
    t.expect((await iss.counts()).jwks, 4, 'the 60 s TTL ended');
    t.clock.advance(86_400 - 61);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', 'a day less a minute later');
    await t.settle();
    t.expect((await iss.counts()).jwks, 4, 'no fetch before the last minute of the 24 h TTL');
    t.clock.advance(2);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', 'in the last minute');
    await t.settle();
    t.expect((await iss.counts()).jwks, 5, 'background refresh in the last minute of 24 h');
    verifier.free();
  },

  /**
   * One RemoteJwks shared by two Verifiers (the Worker builds one per route requirement set):
   * one fetch for both; a refresh replaces the whole set, and a removed key stops verifying in
   * both, cached results included.
   */
  async 'shared RemoteJwks and whole-set replace'(t) {
    const { Verifier, RemoteJwks } = t.api;
    const iss = await t.issuer();
    await iss.addKey('k2');
    const keys = new RemoteJwks({ jwksUri: iss.jwksUri, issuer: iss.issuer, clock: t.clock.now, store: null });
    t.expect(keys.issuer, iss.issuer, 'the keys know their issuer');
    const reader = new Verifier({ jwks: keys, audience: AUDIENCE, requiredScopes: ['read'] });
    const writer = new Verifier({ jwks: keys, audience: AUDIENCE, requiredScopes: ['write'] });
    const token1 = await iss.sign({ scope: 'read write' });
    t.expect(await t.outcome(() => reader.verifyAsync(token1)), 'valid', 'reader');
    t.expect(await t.outcome(() => writer.verifyAsync(token1)), 'valid', 'writer');
    t.expect((await iss.counts()).jwks, 1, 'one fetch for both verifiers');
    t.expect(await t.outcome(() => reader.verify(token1)), 'valid', 'a cache hit');
    t.expect(reader.cacheStats().hits, 1, 'answered from the cache');
    const readOnly = await iss.sign({ scope: 'read' });
    t.expect(await t.outcome(() => writer.verifyAsync(readOnly)), 'ERR_JWT_INSUFFICIENT_SCOPE', 'each verifier its own policy');
    const foreign = await t.failure(() => new Verifier({ jwks: keys, issuer: 'https://other.example/' }));
    t.expect([foreign.code, foreign.field], ['ERR_OPTIONS_INVALID', 'issuer'], 'keys scoped to their issuer');

    await iss.publish('k2');
    t.clock.advance(601);
    const token2 = await iss.sign({ scope: 'read write' }, { kid: 'k2' });
    t.expect(await t.outcome(() => reader.verifyAsync(token2)), 'valid', 'the new set, fetched past the TTL');
    t.expect((await iss.counts()).jwks, 2, 'one refresh');
    t.expect(await t.outcome(() => reader.verify(token1)), 'ERR_JWT_KEY_NOT_FOUND', 'k1 was removed: its cached token is verified again, and refused');
    t.expect(await t.outcome(() => writer.verifyAsync(token1)), 'ERR_JWT_KEY_NOT_FOUND', 'in the other verifier too');
    t.expect(await t.outcome(() => writer.verifyAsync(token2)), 'valid', 'the other verifier uses the new set without a fetch');
    await t.settle();
    const { jwks } = await iss.counts();
    t.expect(jwks, 3, 'one refetch for the unknown kid k1 (cooldown permitting), then none');
    t.expect(keys.status().kids, ['k2'], 'the source holds exactly the published set');
    reader.free();
    writer.free();
  },

  /**
   * Single flight and the unknown-kid cooldown: 20 concurrent cold requests make one fetch;
   * 1,000 made-up kids at a time make at most one fetch per cooldown window.
   */
  async 'single flight and a flood of made-up kids'(t) {
    const { Verifier } = t.api;
    const iss = await t.issuer();
    await iss.set({ delayMs: '200' });
    const log = t.events();
    const verifier = new Verifier(t.fetched(iss, { onEvent: log.onEvent }));
    const good = await iss.sign();
    const cold = await Promise.all(Array.from({ length: 20 }, () => t.outcome(() => verifier.verifyAsync(good))));
    t.expect([...new Set(cold)], ['valid'], '20 concurrent cold requests');
    t.expect((await iss.counts()).jwks, 1, 'one fetch for all of them');
    const flood = async () => {
      const tokens = Array.from({ length: 1000 }, () => t.forged(iss.issuer));
      const outcomes = await Promise.all(
        tokens.map((token, i) => t.outcome(() => (i % 2 === 0 ? verifier.verifyAsync(token) : verifier.verify(token, { waitUntil: t.waitUntil })))),
      );
      await t.settle();
      return [...new Set(outcomes)];
    };
    t.expect(await flood(), ['ERR_JWT_KEY_NOT_FOUND'], '1,000 made-up kids');
    t.expect((await iss.counts()).jwks, 2, 'one refetch in the cooldown window');
    t.clock.advance(15);
    t.expect(await flood(), ['ERR_JWT_KEY_NOT_FOUND'], '1,000 more, 15 s later');
    t.expect((await iss.counts()).jwks, 2, 'none more inside the 30 s window');
    t.clock.advance(16);
    t.expect(await flood(), ['ERR_JWT_KEY_NOT_FOUND'], '1,000 more, past the window');
    t.expect((await iss.counts()).jwks, 3, 'one more in the next window');
    t.ok(log.of('kid_miss_refused').every((e) => e.reason === 'cooldown' && e.url === iss.jwksUri), 'refusals say why');
    t.ok(log.of('kid_miss_refused').length >= 1000, 'refused misses are reported');
    t.expect(await t.outcome(() => verifier.verify(good)), 'valid', 'the real key still verifies');
    verifier.free();
  },

  /**
   * Every fault: refused, never replacing good keys (which keep serving), and no keys at all
   * for a verifier that never had any.
   */
  async 'faults never replace good keys'(t) {
    const { Verifier } = t.api;
    const faults = [
      ['status500', 'status'],
      ['html', 'not_json'],
      ['notjwks', 'not_jwks'],
      ['empty', 'not_jwks'],
      ['private', 'private_key'],
      ['secret', 'private_key'],
      ['unusable', 'no_usable_key'],
      ['huge', 'too_large'],
      ['hugeDeclared', 'too_large'],
      ['hang', 'timeout'],
      ['reset', 'network'],
    ];
    for (const [mode, error] of faults) {
      const iss = await t.issuer();
      const log = t.events();
      const verifier = new Verifier(t.fetched(iss, { timeout: 0.5, onEvent: log.onEvent }));
      const token = await iss.sign();
      t.expect(await t.outcome(() => verifier.verifyAsync(token)), 'valid', `${mode}: good keys first`);
      await iss.set({ mode });
      t.clock.advance(601);
      t.expect(await t.outcome(() => verifier.verifyAsync(token)), 'valid', `${mode}: the good keys still serve`);
      const failed = log.of('fetch_failed');
      t.expect(failed.map((e) => [e.what, e.error, e.keysKept, e.url]), [['jwks', error, true, iss.jwksUri]], `${mode}: refused as ${error}`);
      const fresh = new Verifier(t.fetched(iss, { timeout: 0.5 }));
      t.expect(await t.outcome(() => fresh.verifyAsync(token)), 'ERR_JWKS_UNAVAILABLE', `${mode}: no keys for a verifier that never had any`);
      t.expect((await iss.counts()).jwks, 3, `${mode}: one fetch per attempt`);
      verifier.free();
      fresh.free();
    }
  },

  /** Redirects: followed within the origin; another origin is refused (and never fetched). */
  async 'redirects and insecure URLs'(t) {
    const { Verifier } = t.api;
    const iss = await t.issuer();
    const token = await iss.sign();
    const moved = new Verifier(t.fetched(iss, { jwksUri: `${iss.issuer}/moved` }));
    t.expect(await t.outcome(() => moved.verifyAsync(token)), 'valid', 'a same-origin redirect is followed');
    const log = t.events();
    const away = new Verifier(t.fetched(iss, { jwksUri: `${iss.issuer}/away`, onEvent: log.onEvent }));
    t.expect(await t.outcome(() => away.verifyAsync(token)), 'ERR_JWKS_UNAVAILABLE', 'a cross-origin redirect is not');
    t.expect(log.of('fetch_failed').map((e) => e.error), ['redirect'], 'refused as a redirect');
    t.expect(await iss.counts(), { jwks: 1, oidc: 0, oauth: 0, moved: 1, away: 1 }, 'fetches on the issuer origin');
    for (const jwksUri of ['http://keys.example.com/jwks.json', 'ftp://127.0.0.1/jwks.json', 'not a url']) {
      const error = await t.failure(() => new Verifier({ jwksUri }));
      t.expect([error.code, error.field], ['ERR_OPTIONS_INVALID', 'jwksUri'], `${jwksUri}: https only, http for loopback`);
    }
    moved.free();
    away.free();
  },

  /**
   * The issuer down: stale keys serve up to maxStale, retries back off (5 s, 10 s, 20 s, ...),
   * no keys at all fails fast with retryAfter, and the keys come back with the issuer.
   */
  async 'issuer down: stale keys, backoff, recovery'(t) {
    const { Verifier } = t.api;
    const iss = await t.issuer();
    const verifier = new Verifier(t.fetched(iss, { maxStale: 3600 }));
    const token = await iss.sign();
    const opts = { waitUntil: t.waitUntil };
    const fetches = async () => {
      await t.settle();
      return (await iss.counts()).jwks;
    };
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', 'loaded');
    await iss.set({ mode: 'reset' });
    t.clock.advance(601);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', 'expired, the issuer fails: the last keys serve');
    t.expect(await fetches(), 2, 'one attempt');
    t.clock.advance(1);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', '1 s later, async');
    t.expect(await t.outcome(() => verifier.verify(token, opts)), 'valid', '1 s later, sync');
    t.expect(await fetches(), 2, 'no retry before 5 s');
    t.clock.advance(4);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', '5 s after the failure');
    t.expect(await fetches(), 3, 'a retry, in the background');
    t.clock.advance(9);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', '9 s after the second failure');
    t.expect(await fetches(), 3, 'the next retry waits 10 s');
    t.clock.advance(1);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', '10 s after it');
    t.expect(await fetches(), 4, 'retried');
    // The keys expired at 600 s; they may serve until 600 + 3600 s.
    t.clock.advance(4201 - 616);
    const gone = await t.failure(() => verifier.verifyAsync(token, opts));
    t.expect([gone.code, gone.retryAfter], ['ERR_JWKS_UNAVAILABLE', 40], 'past maxStale: no keys, retry in 40 s');
    t.expect(await fetches(), 5, 'one attempt');
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'ERR_JWKS_UNAVAILABLE', 'at once again');
    t.expect(await t.outcome(() => verifier.verify(token, opts)), 'ERR_JWKS_UNAVAILABLE', 'sync too');
    t.expect(await fetches(), 5, 'failing fast while backing off: no fetch');
    await iss.set({ mode: 'ok' });
    t.clock.advance(40);
    t.expect(await t.outcome(() => verifier.verifyAsync(token, opts)), 'valid', 'the issuer is back');
    t.expect(await fetches(), 6, 'one fetch');
    verifier.free();
  },

  /**
   * Discovery: OpenID Connect first, RFC 8414 (path inserted) when that is not there; the
   * metadata's issuer must be exactly the configured one; its jwks_uri must be https.
   */
  async 'discovery: OIDC, RFC 8414, exact issuer'(t) {
    const { Verifier } = t.api;
    const discovered = (issuer, more = {}) => ({ issuer, discovery: true, audience: AUDIENCE, clock: t.clock.now, store: null, ...more });
    const cases = [
      ['oidc', 'valid', { jwks: 1, oidc: 1, oauth: 0 }, undefined],
      ['oauth-only', 'valid', { jwks: 1, oidc: 1, oauth: 1 }, undefined],
      ['wrong-issuer', 'ERR_JWKS_UNAVAILABLE', { jwks: 0, oidc: 1, oauth: 0 }, 'issuer_mismatch'],
      ['insecure-jwks-uri', 'ERR_JWKS_UNAVAILABLE', { jwks: 0, oidc: 1, oauth: 0 }, 'bad_metadata'],
      ['none', 'ERR_JWKS_UNAVAILABLE', { jwks: 0, oidc: 1, oauth: 1 }, 'status'],
    ];
    for (const [metadata, verdict, counts, error] of cases) {
      const iss = await t.issuer();
      await iss.set({ metadata });
      const log = t.events();
      const verifier = new Verifier(discovered(iss.issuer, { onEvent: log.onEvent }));
      const token = await iss.sign();
      t.expect(await t.outcome(() => verifier.verifyAsync(token)), verdict, `metadata ${metadata}`);
      const { jwks, oidc, oauth } = await iss.counts();
      t.expect({ jwks, oidc, oauth }, counts, `metadata ${metadata}: fetches`);
      if (error !== undefined) t.expect(log.of('fetch_failed').at(-1).error, error, `metadata ${metadata}: why`);
      verifier.free();
    }
    // The configured issuer with a trailing slash is another issuer than the metadata's.
    const iss = await t.issuer();
    const slash = new Verifier(discovered(`${iss.issuer}/`));
    const token = await iss.sign();
    t.expect(await t.outcome(() => slash.verifyAsync(token)), 'ERR_JWKS_UNAVAILABLE', 'issuer equality is exact');
    const { jwks, oidc } = await iss.counts();
    t.expect({ jwks, oidc }, { jwks: 0, oidc: 1 }, 'the same metadata URL, no keys');
    slash.free();
  },

  /**
   * Several issuers: the unverified `iss` only picks an entry; a token of B is never checked
   * with A's keys; an `iss` outside the list is refused with no network access at all.
   */
  async 'several issuers: routing and isolation'(t) {
    const { Verifier } = t.api;
    const a = await t.issuer();
    const b = await t.issuer();
    await a.addKey('only-a');
    await a.publish('k1', 'only-a');
    const log = t.events();
    const verifier = new Verifier({
      issuers: [
        { issuer: a.issuer, jwksUri: a.jwksUri },
        { issuer: b.issuer, discovery: true, audience: 'api://b' },
      ],
      audience: AUDIENCE,
      algorithms: ['ES256'],
      clock: t.clock.now,
      store: null,
      onEvent: log.onEvent,
    });
    const counts = async () => {
      const [ca, cb] = await Promise.all([a.counts(), b.counts()]);
      return [ca.jwks, cb.oidc, cb.jwks];
    };
    const tokens = {
      stranger: await a.sign({ iss: 'https://c.example/' }),
      noIss: await a.sign({ iss: null }),
      a: await a.sign(),
      b: await b.sign({ aud: 'api://b' }),
      bOtherAudience: await b.sign(),
      aKeyNamingB: await a.sign({ iss: b.issuer, aud: 'api://b' }),
      aOnlyKidNamingB: await a.sign({ iss: b.issuer, aud: 'api://b' }, { kid: 'only-a' }),
    };
    const { stranger } = tokens;
    t.expect(await t.outcome(() => verifier.verifyAsync(stranger)), 'ERR_JWT_BAD_ISSUER', 'an iss outside the list');
    t.expect(await t.outcome(() => verifier.verify(stranger)), 'ERR_JWT_BAD_ISSUER', 'sync too');
    t.expect(await t.outcome(() => verifier.verifyAsync(tokens.noIss)), 'ERR_JWT_BAD_ISSUER', 'no iss');
    const report = verifier.explain(stranger);
    t.expect([report.valid, report.code, report.claim], [false, 'ERR_JWT_BAD_ISSUER', 'iss'], 'explain agrees');
    t.expect(await counts(), [0, 0, 0], 'and no network access at all');
    t.expect(log.list, [], 'not even an event');

    t.expect(await t.outcome(() => verifier.verifyAsync(tokens.a)), 'valid', 'a token of A');
    t.expect(await counts(), [1, 0, 0], 'A fetched only');
    t.expect(await t.outcome(() => verifier.verifyAsync(tokens.b)), 'valid', "a token of B, with B's audience");
    t.expect(await counts(), [1, 1, 1], 'B discovered and fetched');
    t.expect(await t.outcome(() => verifier.verifyAsync(tokens.bOtherAudience)), 'ERR_JWT_BAD_AUDIENCE', "B's entry has its own audience");
    t.expect(await t.outcome(() => verifier.verifyAsync(tokens.aKeyNamingB)), 'ERR_JWT_BAD_SIGNATURE', "A's key k1 naming B: checked with B's k1, which it is not");
    t.expect(await t.outcome(() => verifier.verifyAsync(tokens.aOnlyKidNamingB)), 'ERR_JWT_KEY_NOT_FOUND', "a kid only A has, naming B: B's keys do not have it");
    t.expect(await counts(), [1, 1, 2], "B refetched once for the unknown kid; A's keys were never consulted");
    verifier.free();
  },

  /** Sync verify before and after the keys, `ready()`, and tokens that need no keys to refuse. */
  async 'sync verify, ready() and key-independent verdicts'(t) {
    const { Verifier, JwtError } = t.api;
    const iss = await t.issuer();
    const verifier = new Verifier(t.fetched(iss));
    const token = await iss.sign();
    const none = `${b64({ alg: 'none' })}.${b64({ iss: iss.issuer })}.`;
    t.expect(await t.outcome(() => verifier.verify('not a token')), 'ERR_JWT_MALFORMED', 'garbage, sync');
    t.expect(await t.outcome(() => verifier.verifyAsync('a.b.c')), 'ERR_JWT_MALFORMED', 'garbage, async');
    t.expect(await t.outcome(() => verifier.verifyAsync(none)), 'ERR_JWT_UNSUPPORTED_ALG', 'alg none');
    t.expect(await t.outcome(() => verifier.verifyAsync(t.forged(iss.issuer).replace(/^[^.]+/, b64({ alg: 'RS256', kid: 'x' })))), 'ERR_JWT_ALG_NOT_ALLOWED', 'an algorithm not allowed');
    t.expect(verifier.explain('not a token').code, 'ERR_JWT_MALFORMED', 'explain, garbage');
    t.expect((await iss.counts()).jwks, 0, 'tokens refused whatever the keys cause no fetch');
    const early = await t.failure(() => verifier.verify(token, { waitUntil: t.waitUntil }));
    t.expect([early.code, early instanceof JwtError, early instanceof Error], ['ERR_JWKS_UNAVAILABLE', true, true], 'sync verify before the keys: ERR_JWKS_UNAVAILABLE');
    t.expect(await t.outcome(() => verifier.explain(token)), 'ERR_JWKS_UNAVAILABLE', 'explain before the keys');
    t.expect(await verifier.ready(), undefined, 'ready() loads them');
    t.expect((await iss.counts()).jwks, 1, 'one fetch (the load sync verify started, joined by ready)');
    t.expect(await t.outcome(() => verifier.verify(token)), 'valid', 'sync verify after ready()');
    t.expect(verifier.explain(token).valid, true, 'explain after ready()');
    t.expect(await t.outcome(() => verifier.verify(t.forged(iss.issuer), { waitUntil: t.waitUntil })), 'ERR_JWT_KEY_NOT_FOUND', 'unknown kid, sync: refused now');
    await t.settle();
    t.expect((await iss.counts()).jwks, 2, 'and refetched in the background for the next call');
    const down = await t.issuer();
    await down.set({ mode: 'status500' });
    const unavailable = new Verifier(t.fetched(down));
    const error = await t.failure(() => unavailable.ready());
    t.expect([error.code, typeof error.retryAfter], ['ERR_JWKS_UNAVAILABLE', 'number'], 'ready() rejects when no keys can be had');
    verifier.free();
    unavailable.free();
  },

  /** onEvent (what, URL, status, duration), the `fetch` option, and a hook that throws. */
  async 'events and the fetch option'(t) {
    const { Verifier } = t.api;
    const iss = await t.issuer();
    const log = t.events();
    const requested = [];
    const fetchImpl = (url, init) => {
      requested.push(String(url));
      return fetch(url, init);
    };
    const verifier = new Verifier(t.fetched(iss, { fetch: fetchImpl, onEvent: log.onEvent }));
    const token = await iss.sign();
    t.expect(await t.outcome(() => verifier.verifyAsync(token)), 'valid', 'through the given fetch');
    t.expect(requested, [iss.jwksUri], 'the given fetch was used');
    t.expect(log.list.map((e) => e.type), ['fetch_started', 'fetch_finished', 'keys_rotated'], 'events of a load');
    const [started, finished, rotated] = log.list;
    t.expect([started.what, started.url, started.reason, started.issuer], ['jwks', iss.jwksUri, 'cold', iss.issuer], 'fetch_started');
    t.expect([finished.status, typeof finished.durationMs, finished.durationMs >= 0, finished.ttlMs], [200, 'number', true, 600_000], 'fetch_finished');
    t.expect([rotated.kids, rotated.added, rotated.removed, rotated.from], [['k1'], ['k1'], [], 'network'], 'keys_rotated');
    await iss.set({ mode: 'status500' });
    t.clock.advance(601);
    t.expect(await t.outcome(() => verifier.verifyAsync(token)), 'valid', 'served while the refresh fails');
    const failed = log.of('fetch_failed')[0];
    t.expect([failed.status, failed.error, failed.reason, failed.keysKept, typeof failed.durationMs], [500, 'status', 'expired', true, 'number'], 'fetch_failed');
    const loud = new Verifier(t.fetched(iss, { onEvent: () => { throw new Error('a broken logger'); } }));
    await iss.set({ mode: 'ok' });
    t.expect(await t.outcome(() => loud.verifyAsync(token)), 'valid', 'a throwing hook changes nothing');
    verifier.free();
    loud.free();
  },

  /** First half of the warm-store pair: keys fetched once, written to every store of the runtime. */
  async 'store-prime'(t) {
    const { RemoteJwks } = t.api;
    const issuers = {};
    for (const [name, store] of Object.entries(t.stores())) {
      const fetched = await t.issuer();
      const discovered = await t.issuer();
      const sources = [
        new RemoteJwks({ jwksUri: fetched.jwksUri, issuer: fetched.issuer, store, clock: t.clock.now }),
        new RemoteJwks({ issuer: discovered.issuer, discovery: true, store, clock: t.clock.now }),
      ];
      // ready() resolves once the keys are in the store too (no waitUntil needed for that).
      for (const source of sources) await source.ready();
      issuers[name] = [fetched, discovered].map(({ id, issuer, jwksUri }) => ({ id, issuer, jwksUri }));
      t.expect(await Promise.all([fetched.counts(), discovered.counts()]).then(([f, d]) => [f.jwks, d.oidc, d.jwks]), [1, 1, 1], `${name}: fetched once`);
    }
    return { issuers };
  },

  /**
   * Second half: fresh key sources (in workerd, a fresh isolate) with the same stores verify
   * their first token without fetching anything.
   */
  async 'store-fresh'(t, primed) {
    const { Verifier, RemoteJwks } = t.api;
    for (const [name, store] of Object.entries(t.stores())) {
      const [fetched, discovered] = primed.issuers[name];
      const log = t.events();
      const sources = [
        new RemoteJwks({ jwksUri: fetched.jwksUri, issuer: fetched.issuer, store, clock: t.clock.now, onEvent: log.onEvent }),
        new RemoteJwks({ issuer: discovered.issuer, discovery: true, store, clock: t.clock.now, onEvent: log.onEvent }),
      ];
      for (const [index, source] of sources.entries()) {
        const verifier = new Verifier({ jwks: source, audience: AUDIENCE });
        const { id } = [fetched, discovered][index];
        const token = (await (await fetch(`${new URL(fetched.issuer).origin}/control/${id}/sign?claims=%7B%7D`)).json()).token;
        t.expect(await t.outcome(() => verifier.verifyAsync(token)), 'valid', `${name}: first token of a fresh source`);
        verifier.free();
      }
      const counts = await Promise.all([fetched, discovered].map(({ id }) => fetch(`${new URL(fetched.issuer).origin}/control/${id}/counts`).then((r) => r.json())));
      t.expect(counts.map((c) => [c.oidc, c.jwks]), [[0, 1], [1, 1]], `${name}: no fetch, no discovery: the store had both`);
      t.expect(log.of('store_loaded').length, 2, `${name}: loaded from the store`);
    }
  },
};
