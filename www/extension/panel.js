// The DevTools panel: lists the JWTs the inspected page sends and receives (one row per token),
// and shows the selected one through the inspector page's own view (../view.js). Every verdict,
// check and warning is the jwtward engine's (WebAssembly, ../vendor/jwtward/), as on the page;
// this file watches the network, keeps keys per issuer and a policy per API origin, and formats.
//
// Privacy: tokens live in this panel's memory only, never in storage. Policies are stored only
// for the origins where the user ticks "Remember". The panel makes no request of its own except
// the key fetch a user clicks.

import { draw, h, show } from '../dom.js';
import { Verifiers, asError, evaluateToken, loadEngine } from '../evaluate.js';
import { isNumericDate, policyOptions, relative, tokenRuns } from '../present.js';
import { clockTime, createInspectorView } from '../view.js';
import { TokenLog, apiOrigin, entrySightings, isJsonResponse, presented } from './capture.js';

const extension = globalThis.browser ?? globalThis.chrome;
const $ = (id) => document.getElementById(id);

const ui = {
  count: $('token-count'),
  filter: $('filter'),
  clear: $('clear-log'),
  engineStatus: $('engine-status'),
  rows: $('token-rows'),
  listEmpty: $('list-empty'),
  detail: $('detail'),
  request: $('detail-request'),
  seen: $('detail-seen'),
  token: $('detail-token'),
  sightingsSummary: $('sightings-summary'),
  sightings: $('sightings-list'),
  keysIssuer: $('keys-issuer'),
  keysSummary: $('keys-summary'),
  jwks: $('keys-jwks'),
  fetchBox: $('fetch-box'),
  fetchKeys: $('fetch-keys'),
  fetchIssuer: $('fetch-issuer'),
  fetchLog: $('fetch-log'),
  fetchStatus: $('fetch-status'),
  grantOrigin: $('grant-origin'),
  policyOrigin: $('policy-origin'),
  policy: $('policy'),
  audience: $('policy-audience'),
  scopes: $('policy-scopes'),
  typ: $('policy-typ'),
  tolerance: $('policy-tolerance'),
  scopeClaims: $('policy-scope-claims'),
  remember: $('policy-remember'),
  policyError: $('policy-error'),
};

/** The policy form's fields, as stored per origin: element, and the policyOptions field it fills. */
const POLICY_FIELDS = [['audience', ui.audience], ['scopes', ui.scopes], ['typ', ui.typ], ['tolerance', ui.tolerance], ['scopeClaims', ui.scopeClaims]];
const STORED_POLICY = 'policy:';

let engine = null;
let verifiers = null;
const log = new TokenLog();
/**
 * The keys per issuer (the token's `iss`; '' for tokens without one), for this DevTools session:
 * `{ text }` pasted, or fetched on a click: `{ text, remote, generation, state, log, message,
 * blocked }` (`remote` the package's RemoteJwks, `text` the JWK Set it fetched, for the lint).
 */
const keysByIssuer = new Map();
const keysOf = (issuer) => keysByIssuer.get(issuer) ?? { text: '' };
let generations = 0;
/** A year: fetched keys are kept for the session, never refreshed behind the user's back. */
const SESSION_TTL = 365 * 86_400;
/** The policy fields per API origin: `{ audience, scopes, typ, tolerance, scopeClaims, remember }`. */
const policies = new Map();
let selectedId = null;

const view = createInspectorView($('detail-results'), {
  // The request's DPoP proof (when it carried one) right under the verdict, before the forms.
  layout: [[$('detail-verdict'), ['verdictCard', 'proofCard']], [$('detail-results'), ['checksCard', 'warningsCard', 'claimsCard', 'decodedCard']]],
  texts: {
    waiting: 'Select a token in the list.',
    // The panel sees the proof the API received: explain records none, so it never reads as a replay here.
    replay: 'Replays are not checked in this panel: it sees the same proof the API received, and explain records no proof. The API\'s replay store refuses a proof used twice.',
  },
  onUseValue: (option, value) => {
    const row = selectedRow();
    if (!row || option !== 'audience') return;
    updatePolicy(apiOrigin(row), { audience: value });
    fillForms(row);
    render();
    $('verdict-card').focus({ preventScroll: true });
  },
});

// ---------------------------------------------------------------- the network

/** Takes every request DevTools has seen so far, then each one as it finishes. */
function watch(network) {
  network.getHAR((har) => {
    for (const entry of har?.entries ?? []) take(entry);
  });
  network.onRequestFinished.addListener(take);
}

/** Records the tokens of one HAR entry; JSON response bodies are read for tokens too. */
function take(entry) {
  if (isJsonResponse(entry?.response) && typeof entry.getContent === 'function') {
    readContent(entry).then((body) => record(entrySightings(entry, body)));
  } else {
    record(entrySightings(entry));
  }
}

/** The response body as text: Chrome calls back with (content, encoding), Firefox resolves [content, mimeType]. */
function readContent(entry) {
  return new Promise((resolve) => {
    const done = (content, encoding) => resolve(typeof content === 'string' && encoding !== 'base64' ? content : undefined);
    try {
      const promise = entry.getContent(done);
      if (promise && typeof promise.then === 'function') {
        promise.then((value) => done(Array.isArray(value) ? value[0] : value), () => done());
      }
    } catch {
      done();
    }
  });
}

function record(sightings) {
  if (!sightings.length) return;
  for (const sighting of sightings) decodeOnce(log.add(sighting));
  if (selectedId === null) select(log.rows()[0].id);
  scheduleRender();
}

/** The engine's decoding of a row's token (`inspect`), done once per token. */
function decodeOnce(row) {
  if (row.inspected || row.decodeError || !engine) return;
  try {
    row.inspected = engine.inspect(row.token);
  } catch (error) {
    row.decodeError = asError(error);
  }
}

// ---------------------------------------------------------------- keys and policies

const issuerOf = (row) => (typeof row.inspected?.payload?.iss === 'string' ? row.inspected.payload.iss : '');

function updatePolicy(origin, changes) {
  const policy = { ...(policies.get(origin) ?? {}), ...changes };
  policies.set(origin, policy);
  if (policy.remember) storePolicy(origin, policy);
}

/**
 * The Verifier options for a row: the keys of its token's issuer (and only tokens of that issuer:
 * `issuer` is set to it, so keys pasted for one issuer never verify another's tokens) and the
 * policy of the API origin it was presented to.
 */
function optionsFor(row) {
  const issuer = issuerOf(row);
  const keys = keysOf(issuer);
  const { options, formError } = policyOptions({ ...(policies.get(apiOrigin(row)) ?? {}), jwks: keys.text });
  if (issuer) options.issuer = issuer;
  if (!keys.remote) return { options, formError, jwks: keys.text };
  // Fetched keys: the package's key source, named by its generation for the Verifier cache.
  return { options: { ...options, jwks: keys.remote }, formError, jwks: keys.text, verifierKey: JSON.stringify({ ...options, jwks: `fetched #${keys.generation}` }) };
}

/**
 * How the row's latest request presented the token, as explain's options: the Authorization
 * scheme, and with a DPoP header the proof, method and URL that request carried (RFC 9449).
 * Tokens found elsewhere (cookies, query, responses) are judged alone, as a bearer token.
 */
function presentationOf(sighting) {
  if (sighting.source?.kind !== 'authorization') return {};
  const presentation = {};
  if (/^(?:bearer|dpop)$/i.test(sighting.source.scheme ?? '')) presentation.scheme = /^dpop$/i.test(sighting.source.scheme) ? 'DPoP' : 'Bearer';
  if (typeof sighting.dpop === 'string') presentation.dpop = { proof: sighting.dpop, method: sighting.method, url: sighting.url };
  return presentation;
}

/**
 * What the view shows for a row at `now` (the engine's answers, through evaluate.js): all of it
 * for the selected row, the verdict alone for the others (the decoding is the row's, done once).
 * A request that carried a DPoP proof is judged at the moment it was sent: the proof is good for
 * about a minute, and the verdict is the one the API could give to that request.
 */
function evaluateRow(row, now, { full = false } = {}) {
  const { options, formError, jwks, verifierKey } = optionsFor(row);
  const decoded = row.decodeError ? { decodeError: row.decodeError } : { inspected: inspectedWith(row, options.scopeClaims) };
  const sighting = presented(row);
  const presentation = presentationOf(sighting);
  // (A proof beside a Bearer token is not checked: the engine refuses a bound token so presented.)
  const atRequest = presentation.dpop !== undefined && presentation.scheme !== 'Bearer';
  const at = atRequest ? Math.floor(sighting.time / 1000) : now;
  const model = evaluateToken(engine, { token: row.token, jwks, options, formError, verifiers, verifierKey, now: at, decoded, lint: full, presentation });
  return { ...model, live: !atRequest, evaluatedAtNote: atRequest ? 'when the request was sent with its DPoP proof' : '' };
}

/**
 * The row's decoding, with the scopes its origin's scope claims grant (inspect reads them); the
 * default claims' (done once) when the policy names none or names them wrongly.
 */
function inspectedWith(row, scopeClaims) {
  if (!scopeClaims) return row.inspected;
  try {
    return engine.inspect(row.token, { scopeClaims });
  } catch {
    return row.inspected;
  }
}

// ---------------------------------------------------------------- fetching keys (on a click only)

const fetchableIssuers = new Map();

/**
 * Whether keys may be fetched from `issuer` by discovery, by the package's own rule (https, or
 * http on loopback): the key source refuses any other issuer when it is built, before any fetch.
 */
function fetchable(issuer) {
  if (!fetchableIssuers.has(issuer)) {
    let ok = Boolean(engine && issuer);
    try {
      if (ok) new engine.RemoteJwks({ issuer, discovery: true, store: null });
    } catch {
      ok = false;
    }
    fetchableIssuers.set(issuer, ok);
  }
  return fetchableIssuers.get(issuer);
}

/**
 * The fetch the key source uses: the browser's, without cookies or referrer, keeping the JWK Set
 * text it fetched (up to the package's 512 KiB) so the panel can show and lint it.
 */
function fetchKeeping(texts) {
  return async (url, init) => {
    const response = await fetch(url, { ...init, credentials: 'omit', referrerPolicy: 'no-referrer' });
    if (response.ok) texts.set(String(url), cappedText(response.clone(), 512 * 1024));
    return response;
  };
}

async function cappedText(response, limit) {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      return '';
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
}

/** Fetches the keys of `issuer` by discovery with the package's RemoteJwks (issue 12), once per click. */
async function fetchKeys(issuer) {
  const texts = new Map();
  const entry = { text: '', state: 'busy', log: [], message: `Fetching the keys of ${issuer}…`, generation: ++generations };
  keysByIssuer.set(issuer, entry);
  scheduleRender();
  try {
    const remote = new engine.RemoteJwks({
      issuer, discovery: true, store: null, fetch: fetchKeeping(texts), timeout: 15,
      minTtl: SESSION_TTL, maxTtl: SESSION_TTL, defaultTtl: SESSION_TTL, cooldown: 86_400,
      onEvent: (event) => {
        entry.log.push(event);
        scheduleRender();
      },
    });
    await remote.ready();
    const status = remote.status();
    entry.remote = remote;
    entry.text = (await texts.get(status.jwksUri)) ?? '';
    entry.state = 'ok';
    entry.message = `${status.kids.length} key${status.kids.length === 1 ? '' : 's'} from ${status.jwksUri}, fetched at ${clockTime(status.fetchedAt / 1000)}.`;
  } catch (error) {
    const failed = entry.log.filter((event) => event.type === 'fetch_failed').at(-1);
    entry.state = 'error';
    entry.message = failed ? `${failed.url}: ${failed.message ?? failed.error}` : asError(error).message;
    // A network error from an extension page is most often an issuer without CORS headers: with
    // the user's permission for that host, the extension may read it anyway.
    if (failed?.error === 'network') {
      entry.blocked = hostPattern(failed.url);
      entry.message = `${failed.url} could not be read: the server is unreachable, or sends no CORS headers (Access-Control-Allow-Origin).`;
    }
  }
  const row = selectedRow();
  if (row && issuerOf(row) === issuer) fillForms(row);
  scheduleRender();
}

/** The optional host permission that opens `url`'s host (any port) to the extension. */
function hostPattern(url) {
  const { protocol, hostname } = new URL(url);
  return `${protocol}//${hostname}/*`;
}

async function grantAndRetry(issuer) {
  const { blocked } = keysOf(issuer);
  if (!blocked) return;
  // Asked in the click itself (a permission prompt needs the user's gesture), for this host only.
  const granted = await extension.permissions.request({ origins: [blocked] }).catch(() => false);
  if (granted) fetchKeys(issuer);
}

function renderFetch(issuer) {
  const keys = keysOf(issuer);
  show(ui.fetchBox, fetchable(issuer));
  ui.fetchIssuer.textContent = issuer;
  ui.fetchKeys.disabled = keys.state === 'busy';
  ui.fetchKeys.toggleAttribute('aria-busy', keys.state === 'busy');
  const log = keys.log ?? [];
  draw(ui.fetchLog, JSON.stringify(log), () => log.filter((event) => event.type !== 'fetch_started' && event.url).map((event) =>
    h('li', { 'data-type': event.type }, event.type === 'fetch_finished'
      ? `GET ${event.url} → ${event.status} · ${event.durationMs} ms`
      : event.type === 'fetch_failed' ? `GET ${event.url} → ${event.error}` : `${event.type.replace('_', ' ')}: ${(event.kids ?? []).join(', ')}`)));
  ui.fetchStatus.dataset.kind = keys.state === 'ok' ? 'ok' : keys.state === 'error' ? 'error' : keys.state === 'busy' ? 'busy' : '';
  ui.fetchStatus.textContent = keys.message ?? '';
  show(ui.grantOrigin, Boolean(keys.blocked));
  ui.grantOrigin.dataset.origins = keys.blocked ?? '';
  ui.grantOrigin.textContent = keys.blocked ? `Allow jwtward to read ${keys.blocked.replace('/*', '')}, then fetch again` : '';
}

/** The table's verdict for a row: `{ state, code, claim }` (state as the view's verdict card has it). */
function verdictOf(model) {
  if (model.report) return { state: model.report.valid ? 'valid' : 'rejected', code: model.report.code ?? '', claim: model.report.claim ?? '' };
  if (model.decodeError) return { state: 'rejected', code: model.decodeError.code, claim: '' };
  const problem = model.configError ?? model.presentationError;
  if (problem || model.formError) return { state: 'config', code: problem?.code ?? '', claim: '' };
  return { state: 'unverified', code: '', claim: '' };
}

// ---------------------------------------------------------------- storage (opt-in, policies only)

async function restorePolicies() {
  try {
    const stored = await extension.storage.local.get(null);
    for (const [key, value] of Object.entries(stored ?? {})) {
      if (key.startsWith(STORED_POLICY) && value && typeof value === 'object') {
        policies.set(key.slice(STORED_POLICY.length), { ...value, remember: true });
      }
    }
  } catch {
    // No storage (a test page, a browser without it): policies live for this session only.
  }
}

function storePolicy(origin, policy) {
  const fields = Object.fromEntries(POLICY_FIELDS.map(([name]) => [name, String(policy[name] ?? '')]));
  extension.storage?.local.set({ [`${STORED_POLICY}${origin}`]: fields }).catch(() => {});
}

function forgetPolicy(origin) {
  extension.storage?.local.remove(`${STORED_POLICY}${origin}`).catch(() => {});
}

// ---------------------------------------------------------------- rendering

let pending = 0;
function scheduleRender() {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(() => render());
}

function selectedRow() {
  return selectedId === null ? undefined : log.row(selectedId);
}

function render() {
  const now = Math.floor(Date.now() / 1000);
  const rows = log.rows();
  const models = new Map(rows.map((row) => [row.id, engine ? evaluateRow(row, now, { full: row.id === selectedId }) : null]));
  renderList(rows, models, now);
  renderDetail(selectedRow(), models, now);
}

/** What a row shows in the table: the engine's decoding, a few claims, its verdict. */
function rowCells(row, model, now) {
  const payload = row.inspected?.payload ?? {};
  const sighting = presented(row);
  const text = (value) => (typeof value === 'string' ? value : '');
  const url = safeUrl(sighting.url);
  // The engine's, from the scope claims of the origin's policy (verified or not).
  const scopes = model?.report?.scopes ?? model?.inspected?.scopes ?? row.inspected?.scopes ?? [];
  const verdict = model ? verdictOf(model) : { state: 'empty', code: '', claim: '' };
  return {
    time: clockTime(sighting.time / 1000),
    source: `${sighting.label}${row.sightings.length > 1 ? ` ×${row.sightings.length}` : ''}${url ? ` · ${url.host}` : ''}`,
    request: `${sighting.method} ${url ? url.pathname : sighting.url}`,
    requestTitle: `${sighting.label} · ${sighting.method} ${sighting.url}`,
    iss: text(payload.iss),
    subject: text(payload.sub) || text(payload.client_id) || text(payload.azp),
    scopes: scopes.join(' '),
    expires: isNumericDate(payload.exp) ? relative(payload.exp, now) : Object.hasOwn(payload, 'exp') ? '' : 'never',
    expired: isNumericDate(payload.exp) && payload.exp <= now,
    verdict,
  };
}

function safeUrl(text) {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

const VERDICT_TEXT = new Map([['valid', 'valid'], ['unverified', 'no keys'], ['config', 'cannot verify'], ['empty', '…']]);

/** A code as the table shows it, short: `expired` for ERR_JWT_EXPIRED (the core's own name for it). */
const shortCode = (code) => code.replace(/^ERR_(?:JWT_)?/, '').toLowerCase();

function renderList(rows, models, now) {
  const filter = ui.filter.value.trim().toLowerCase();
  let shown = 0;
  const existing = new Map([...ui.rows.children].map((tr) => [Number(tr.dataset.id), tr]));
  for (const row of rows) {
    const cells = rowCells(row, models.get(row.id), now);
    const haystack = [cells.source, cells.requestTitle, cells.iss, cells.subject, cells.scopes, cells.verdict.code, cells.verdict.claim, cells.verdict.state].join(' ').toLowerCase();
    const visible = !filter || haystack.includes(filter);
    let tr = existing.get(row.id);
    if (!tr) {
      tr = h('tr', { 'data-id': row.id, tabindex: '-1' });
      ui.rows.append(tr);
    }
    existing.delete(row.id);
    tr.hidden = !visible;
    if (visible) shown += 1;
    tr.dataset.verdict = cells.verdict.state;
    tr.dataset.code = cells.verdict.code;
    tr.dataset.verdictClaim = cells.verdict.claim;
    tr.setAttribute('aria-selected', String(row.id === selectedId));
    // The selected row is the one Tab reaches; the arrow keys move from there.
    tr.tabIndex = row.id === selectedId ? 0 : -1;
    // A refused DPoP proof names its part (htu, iat, jti, ...): the code alone says little.
    const part = cells.verdict.code === 'ERR_JWT_BAD_DPOP_PROOF' && cells.verdict.claim ? `: ${cells.verdict.claim}` : '';
    const verdictText = cells.verdict.code ? `${shortCode(cells.verdict.code)}${part}` : VERDICT_TEXT.get(cells.verdict.state) ?? cells.verdict.state;
    draw(tr, JSON.stringify(cells), () => [
      h('td', { class: 'cell-time', text: cells.time }),
      h('td', { class: 'cell-request', title: cells.requestTitle }, h('span', { class: 'request-source', text: cells.source }), h('span', { class: 'request-url', text: cells.request })),
      h('td', { class: 'cell-subject', title: `${cells.subject}\n${cells.iss}` },
        h('span', { class: 'cell-sub', text: cells.subject || '—' }), h('span', { class: 'cell-iss', text: cells.iss }),
        // Where DevTools is too narrow for a Scopes column, the scopes go under the issuer.
        h('span', { class: 'cell-scopes-inline', text: cells.scopes })),
      h('td', { class: 'cell-scopes', title: cells.scopes }, h('span', { class: 'two-lines', text: cells.scopes })),
      h('td', { class: `cell-exp${cells.expired ? ' tone-bad' : ''}`, text: cells.expires }),
      h('td', { class: 'cell-verdict' }, h('span', { class: `pill pill-${cells.verdict.state}`, title: cells.verdict.code ? `${cells.verdict.code}${cells.verdict.claim ? ` (${cells.verdict.claim})` : ''}` : null, text: verdictText })),
    ]);
  }
  for (const tr of existing.values()) tr.remove();
  ui.count.textContent = rows.length
    ? `${rows.length} token${rows.length === 1 ? '' : 's'}${filter ? `, ${shown} shown` : ''}`
    : 'No tokens yet';
  show(ui.listEmpty, rows.length === 0);
}

function renderDetail(row, models, now) {
  show(ui.detail, Boolean(row));
  if (!row) return;
  ui.detail.dataset.id = String(row.id);
  const sighting = presented(row);
  ui.request.replaceChildren(h('span', { class: 'request-source', text: sighting.label }), ' ', h('code', { text: `${sighting.method} ${sighting.url}` }));
  const first = row.sightings[0];
  ui.seen.textContent = `Seen ${row.sightings.length} time${row.sightings.length === 1 ? '' : 's'}, first at ${clockTime(first.time / 1000)}, last at ${clockTime(row.sightings.at(-1).time / 1000)}.`;
  draw(ui.token, row.token, () => tokenRuns(row.token).map((run) => h('span', { class: `tok tok-${run.kind}`, text: run.text })));
  ui.sightingsSummary.textContent = `Requests (${row.sightings.length})`;
  draw(ui.sightings, JSON.stringify(row.sightings), () => row.sightings.map((s) => h('li', { class: 'sighting' },
    h('span', { class: 'sighting-time', text: clockTime(s.time / 1000) }),
    h('span', { class: 'request-source', text: s.label }),
    h('code', { class: 'sighting-url', text: `${s.method} ${s.url}` }),
    s.status ? h('span', { class: 'muted', text: String(s.status) }) : null,
    // Sender-constrained tokens travel with a DPoP proof: the latest request's is checked with the token.
    s.dpop ? h('span', { class: 'chip', title: 'This request carried a DPoP proof header', text: 'DPoP proof' }) : null)));

  const issuer = issuerOf(row);
  ui.keysIssuer.textContent = issuer || '(tokens without iss)';
  renderFetch(issuer);
  const model = models.get(row.id) ?? { token: row.token, now, engineLoaded: false };
  ui.keysSummary.textContent = model.lint ? `${countKeys(ui.jwks.value)} key${countKeys(ui.jwks.value) === 1 ? '' : 's'}` : '';
  ui.jwks.toggleAttribute('aria-invalid', model.configError?.field === 'jwks');
  ui.policyOrigin.textContent = apiOrigin(row) || '(unknown origin)';
  const problem = model.formError ?? (model.configError && model.configError.field !== 'jwks' ? model.configError : null);
  if (problem) ui.policyError.replaceChildren(problem.code ? h('code', { text: problem.code }) : null, ' ', problem.message);
  show(ui.policyError, Boolean(problem));
  view.render(model);
}

/** How many entries a JWK Set lists, for the card's summary (display only). */
function countKeys(text) {
  try {
    const keys = JSON.parse(text)?.keys;
    return Array.isArray(keys) ? keys.length : 0;
  } catch {
    return 0;
  }
}

/** Puts the selected row's keys and its origin's policy into the forms. */
function fillForms(row) {
  ui.jwks.value = keysOf(issuerOf(row)).text;
  const policy = policies.get(apiOrigin(row)) ?? {};
  for (const [name, input] of POLICY_FIELDS) input.value = policy[name] ?? '';
  ui.remember.checked = Boolean(policy.remember);
}

function select(id) {
  const row = log.row(id);
  if (!row) return;
  selectedId = id;
  fillForms(row);
  scheduleRender();
}

// ---------------------------------------------------------------- wiring

function wire() {
  ui.rows.addEventListener('click', (event) => {
    const tr = event.target.closest('tr[data-id]');
    if (tr) select(Number(tr.dataset.id));
  });
  ui.rows.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const visible = [...ui.rows.children].filter((tr) => !tr.hidden);
    const at = visible.findIndex((tr) => Number(tr.dataset.id) === selectedId);
    const next = visible[Math.min(Math.max(at + (event.key === 'ArrowDown' ? 1 : -1), 0), visible.length - 1)];
    if (next) {
      select(Number(next.dataset.id));
      next.focus();
    }
  });
  ui.filter.addEventListener('input', scheduleRender);
  ui.clear.addEventListener('click', () => {
    log.clear();
    selectedId = null;
    render();
  });
  ui.jwks.addEventListener('input', () => {
    const row = selectedRow();
    if (!row) return;
    // Edited keys are pasted keys, whatever was fetched before.
    keysByIssuer.set(issuerOf(row), { text: ui.jwks.value });
    scheduleRender();
  });
  ui.fetchKeys.addEventListener('click', () => {
    const row = selectedRow();
    if (row && fetchable(issuerOf(row))) fetchKeys(issuerOf(row));
  });
  ui.grantOrigin.addEventListener('click', () => {
    const row = selectedRow();
    if (row) grantAndRetry(issuerOf(row));
  });
  ui.policy.addEventListener('submit', (event) => event.preventDefault());
  ui.policy.addEventListener('input', (event) => {
    const row = selectedRow();
    if (!row || event.target === ui.remember) return;
    updatePolicy(apiOrigin(row), Object.fromEntries(POLICY_FIELDS.map(([name, input]) => [name, input.value])));
    scheduleRender();
  });
  ui.remember.addEventListener('change', () => {
    const row = selectedRow();
    if (!row) return;
    const origin = apiOrigin(row);
    updatePolicy(origin, { remember: ui.remember.checked });
    if (!ui.remember.checked) forgetPolicy(origin);
  });
  // Countdowns and verdicts move with the clock (a token can expire while you look at it).
  setInterval(() => {
    if (log.rows().length) render();
  }, 1000);
}

async function main() {
  wire();
  await restorePolicies();
  try {
    engine = await loadEngine();
    verifiers = new Verifiers(engine, { max: 64 });
  } catch (error) {
    ui.engineStatus.replaceChildren(h('strong', { text: 'The jwtward engine did not load. ' }), h('span', { class: 'muted', text: String(error?.message ?? error) }));
    show(ui.engineStatus, true);
  }
  const network = extension?.devtools?.network;
  if (network) watch(network);
  render();
  document.documentElement.dataset.ready = engine ? 'true' : 'false';
}

main();
