// The inspector page: reads the inputs, asks the jwtward engine (WebAssembly, loaded from
// ./vendor/jwtward/, filled by www/build.mjs) for the decoded token, its warnings, the JWK Set lint
// and the verdict with its checklist, and draws them. It decides nothing itself: every verdict,
// check and warning on screen is the engine's; this file only formats.
//
// Privacy: the page makes no request except its own files and, when the user presses Fetch, the
// JWKS URL they typed. The token never goes into the URL; it is stored only if the user ticks
// "Remember".

import { draw, h, show } from './dom.js';
import { Verifiers, decodedOf, evaluateToken, loadEngine } from './evaluate.js';
import {
  ALG_FAMILIES, ALG_INFO, cleanProofInput, cleanTokenInput, fillPlaceholders, placeholderValues, placeholdersIn, policyFields,
  policyOptions, presentationOptions, tokenRuns,
} from './present.js';
import { createInspectorView } from './view.js';

const STORAGE_KEY = 'jwtward-inspector';
const $ = (id) => document.getElementById(id);

const ui = {
  token: $('token'),
  highlight: $('token-highlight'),
  tokenSize: $('token-size'),
  tokenNote: $('token-note'),
  presentation: $('presentation'),
  proof: $('dpop-proof'),
  proofNote: $('proof-note'),
  proofMethod: $('dpop-method'),
  proofUrl: $('dpop-url'),
  proofNonce: $('dpop-nonce'),
  clientCert: $('client-cert'),
  presentationError: $('presentation-error'),
  jwks: $('jwks'),
  jwksError: $('jwks-error'),
  keysSummary: $('keys-summary'),
  jwksUrl: $('jwks-url'),
  fetchButton: $('fetch-jwks'),
  fetchStatus: $('fetch-status'),
  suggestUrl: $('suggest-url'),
  policy: $('policy'),
  policyError: $('policy-error'),
  provider: $('provider'),
  providerNote: $('provider-note'),
  algGroups: $('alg-groups'),
  issuer: $('issuer'),
  audience: $('audience'),
  scopes: $('scopes'),
  scopeClaims: $('scope-claims'),
  tolerance: $('tolerance'),
  subject: $('subject'),
  typ: $('typ'),
  requiredClaims: $('required-claims'),
  maxAge: $('max-age'),
  claimValues: $('claim-values'),
  senderConstraint: $('sender-constraint'),
  evaluateAt: $('evaluate-at'),
  evaluateNow: $('evaluate-now'),
  morePolicy: $('more-policy'),
  remember: $('remember'),
  results: $('results'),
  engineStatus: $('engine-status'),
  engineVersion: $('engine-version'),
  localZone: $('local-zone'),
};

/** The policy form's text fields, by the names policyOptions and policyFields give them. */
const POLICY_INPUTS = new Map([
  ['issuer', ui.issuer], ['audience', ui.audience], ['scopes', ui.scopes], ['scopeClaims', ui.scopeClaims],
  ['tolerance', ui.tolerance], ['subject', ui.subject], ['typ', ui.typ], ['requiredClaims', ui.requiredClaims],
  ['maxAge', ui.maxAge], ['claimValues', ui.claimValues], ['senderConstraint', ui.senderConstraint],
]);

/** The engine module, once loaded. */
let engine = null;
/** The identity-provider presets (www/vendor/providers.js, generated from tests/fixtures/idp/profiles.json). */
let providers = [];
/** The Verifier of the current keys and policy (rebuilt only when they change). */
let verifiers = null;
/** The token the request fields were last opened for (by the token's cnf). */
let openedFor = null;

/** The result cards (verdict, checks, warnings, claims, decoded): the same view as the DevTools panel. */
const view = createInspectorView(ui.results, { onUseValue: useTokenValue, onPresent: openPresentation });

// ---------------------------------------------------------------- engine

async function startEngine() {
  try {
    engine = await loadEngine();
    verifiers = new Verifiers(engine);
    ui.engineVersion.textContent = engine.version ? `jwtward ${engine.version}` : 'jwtward';
  } catch (error) {
    ui.engineStatus.replaceChildren(
      h('strong', { text: 'The jwtward engine did not load. ' }),
      'Build it with ', h('code', { text: 'npm run build' }),
      ' (it copies the package into ', h('code', { text: 'www/vendor/jwtward/' }), '). ',
      h('span', { class: 'muted', text: String(error?.message ?? error) }),
    );
    show(ui.engineStatus, true);
  }
}

// ---------------------------------------------------------------- reading the inputs

function selectedAlgorithms() {
  return [...ui.algGroups.querySelectorAll('input[type=checkbox]:checked')].map((box) => box.value);
}

/** The "Evaluate at" moment in Unix seconds, or null for the live clock. */
function evaluateAt() {
  const value = ui.evaluateAt.value;
  if (!value) return null;
  const ms = new Date(value).getTime(); // datetime-local values are in the viewer's time zone
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

function currentNow() {
  return evaluateAt() ?? Math.floor(Date.now() / 1000);
}

/** The Verifier options from the form (the engine validates them and names the field it rejects). */
function readOptions() {
  const fields = Object.fromEntries([...POLICY_INPUTS].map(([name, input]) => [name, input.value]));
  return policyOptions({ ...fields, jwks: ui.jwks.value, algorithms: selectedAlgorithms() });
}

/** Writes policy fields (from policyFields) into the form; fields it leaves out keep their value. */
function setFields(fields) {
  for (const [name, input] of POLICY_INPUTS) if (Object.hasOwn(fields, name)) input.value = fields[name];
  if (fields.algorithms) applyAlgorithms(fields.algorithms);
  // A preset that checks more than the first fields shows where.
  if (['subject', 'typ', 'requiredClaims', 'maxAge', 'claimValues', 'senderConstraint'].some((name) => fields[name])) ui.morePolicy.open = true;
}

/** How the request presented the token (explain's dpop and clientCertificate), from the request fields. */
function readPresentation() {
  const { proof, notes } = cleanProofInput(ui.proof.value);
  const presentation = presentationOptions({
    proof, method: ui.proofMethod.value, url: ui.proofUrl.value, nonce: ui.proofNonce.value, certificate: ui.clientCert.value,
  });
  return { presentation, notes };
}

/** Which request field holds each of explain's request options, to mark the one the engine rejects. */
const PRESENTATION_INPUTS = new Map(Object.entries({
  dpop: 'dpop-proof', 'dpop.proof': 'dpop-proof', 'dpop.method': 'dpop-method', 'dpop.url': 'dpop-url', 'dpop.nonce': 'dpop-nonce',
  clientCertificate: 'client-cert', 'clientCertificate.sha256': 'client-cert',
}));

/** Which form control holds each option, to mark the one the engine rejects. */
const FIELD_INPUTS = new Map(Object.entries({
  jwks: 'jwks', issuer: 'issuer', audience: 'audience', algorithms: 'alg-groups', requiredScopes: 'scopes',
  scopeClaims: 'scope-claims', clockTolerance: 'tolerance', subject: 'subject', typ: 'typ', requiredClaims: 'required-claims',
  maxTokenAge: 'max-age', claims: 'claim-values', senderConstraint: 'sender-constraint',
}));

// ---------------------------------------------------------------- the model

/** Everything the page shows, computed from the inputs by the engine. */
function evaluate() {
  const { token, notes } = cleanTokenInput(ui.token.value);
  const now = currentNow();
  const { options, formError } = readOptions();
  const { presentation, notes: proofNotes } = readPresentation();
  const model = evaluateToken(engine, { token, jwks: ui.jwks.value, options, formError, verifiers, now, presentation });
  return { ...model, notes, proofNotes, live: evaluateAt() === null };
}

/** The user asked for the field a bound token needs (from the verdict card): the proof, or the certificate's hash. */
function openPresentation(kind) {
  ui.presentation.open = true;
  (kind === 'mtls' ? ui.clientCert : ui.proof).focus();
}

/** The user took one of the token's own values for an unset policy field (from the verdict card). */
function useTokenValue(option, value) {
  const input = option === 'audience' ? ui.audience : option === 'issuer' ? ui.issuer : null;
  if (!input) return;
  input.value = value;
  onInput();
  // The button goes away with the note; the verdict card keeps the focus and announces the result.
  $('verdict-card').focus({ preventScroll: true });
}

// ---------------------------------------------------------------- rendering

function render({ save = true } = {}) {
  const model = evaluate();
  renderTokenMeta(model);
  renderFieldErrors(model);
  view.render(model);
  renderSuggestion(decodedOf(model));
  renderProviderNote(decodedOf(model));
  if (save) saveIfRemembered();
}

function renderTokenMeta(model) {
  const bytes = new TextEncoder().encode(model.token).length;
  ui.tokenSize.textContent = model.token ? `${bytes.toLocaleString()} bytes` : '';
  if (model.notes.length) {
    ui.tokenNote.textContent = `Removed ${model.notes.join(' and ')} before decoding.`;
  }
  show(ui.tokenNote, model.notes.length > 0);
  if (model.proofNotes.length) ui.proofNote.textContent = `Removed ${model.proofNotes.join(' and ')} from the proof.`;
  show(ui.proofNote, model.proofNotes.length > 0);
  // A sender-constrained token (cnf) shows where its proof goes, once per token; the user may close it.
  const cnf = decodedOf(model)?.payload?.cnf;
  if (cnf && typeof cnf === 'object' && model.token !== openedFor) {
    openedFor = model.token;
    ui.presentation.open = true;
  }
}

function renderFieldErrors(model) {
  for (const id of FIELD_INPUTS.values()) $(id).removeAttribute('aria-invalid');
  const jwksProblem = model.configError?.field === 'jwks' ? model.configError : null;
  const policyProblem = model.formError ?? (model.configError && model.configError.field !== 'jwks' ? model.configError : null);
  if (jwksProblem) {
    ui.jwks.setAttribute('aria-invalid', 'true');
    ui.jwksError.replaceChildren(h('code', { text: jwksProblem.code }), ' ', jwksProblem.message);
  }
  show(ui.jwksError, Boolean(jwksProblem));
  if (policyProblem) {
    // Fields like `claims.tenant_id` belong to the control of their option.
    const input = FIELD_INPUTS.get(String(policyProblem.field ?? '').split('.')[0]);
    if (input) $(input).setAttribute('aria-invalid', 'true');
    ui.policyError.replaceChildren(
      policyProblem.code ? h('code', { text: policyProblem.code }) : null, ' ', policyProblem.message,
    );
  }
  show(ui.policyError, Boolean(policyProblem));
  for (const id of new Set(PRESENTATION_INPUTS.values())) $(id).removeAttribute('aria-invalid');
  const requestProblem = model.presentationError;
  if (requestProblem) {
    const input = PRESENTATION_INPUTS.get(String(requestProblem.field ?? ''));
    if (input) $(input).setAttribute('aria-invalid', 'true');
    ui.presentationError.replaceChildren(h('code', { text: requestProblem.code }), ' ', requestProblem.message);
    ui.presentation.open = true;
  }
  show(ui.presentationError, Boolean(requestProblem));

  const keys = model.lintError ? null : countKeys(ui.jwks.value);
  ui.keysSummary.textContent = keys === null ? '' : `${keys} key${keys === 1 ? '' : 's'}`;
}

/** How many entries the pasted set lists, for the card's summary (display only). */
function countKeys(text) {
  try {
    const keys = JSON.parse(text)?.keys;
    return Array.isArray(keys) ? keys.length : null;
  } catch {
    return null;
  }
}

function renderSuggestion(decoded) {
  const iss = decoded?.payload?.iss;
  const usable = typeof iss === 'string' && /^https?:\/\/[^\s]+$/i.test(iss);
  show(ui.suggestUrl, usable && !ui.jwksUrl.value);
}

// ---------------------------------------------------------------- the token editor

/** Colours the three segments under the (transparent-text) textarea. */
function highlightToken() {
  const value = ui.token.value;
  const runs = tokenRuns(value);
  ui.highlight.replaceChildren(...runs.map((run) => h('span', { class: `tok tok-${run.kind}`, text: run.text })),
    // A trailing newline in a textarea takes a line; the mirror needs a character to match it.
    value.endsWith('\n') ? ' ' : '');
  autosize();
}

function autosize() {
  const area = ui.token;
  area.style.height = 'auto';
  area.style.height = `${Math.min(area.scrollHeight + 2, Math.max(window.innerHeight * 0.5, 240))}px`;
  ui.highlight.scrollTop = area.scrollTop;
}

// ---------------------------------------------------------------- fetching a JWK Set (on request only)

async function fetchJwks() {
  const raw = ui.jwksUrl.value.trim();
  let url;
  try {
    url = new URL(raw);
    if (!/^https?:$/.test(url.protocol)) throw new Error('only http(s) URLs');
  } catch {
    setFetchStatus('error', 'Enter a full https:// URL of a JWK Set or an OpenID discovery document.');
    ui.jwksUrl.focus();
    return;
  }
  ui.fetchButton.disabled = true;
  ui.fetchButton.setAttribute('aria-busy', 'true');
  setFetchStatus('busy', `Fetching ${url.href}…`);
  try {
    let { text, doc } = await getJson(url.href);
    let note = '';
    // A discovery document names the JWK Set; following it is the same request the user asked for.
    if (doc && !Array.isArray(doc.keys) && typeof doc.jwks_uri === 'string') {
      note = ` via the discovery document's jwks_uri (${doc.jwks_uri})`;
      ({ text, doc } = await getJson(new URL(doc.jwks_uri, url).href));
    }
    ui.jwks.value = prettyIfLossless(text, doc);
    setFetchStatus('ok', `Loaded ${countKeys(ui.jwks.value) ?? 'a'} key${countKeys(ui.jwks.value) === 1 ? '' : 's'}${note}.`);
    onInput();
  } catch (error) {
    setFetchStatus('error', error.message);
  } finally {
    ui.fetchButton.disabled = false;
    ui.fetchButton.removeAttribute('aria-busy');
  }
}

async function getJson(href) {
  let response;
  try {
    response = await fetch(href, {
      credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer', redirect: 'follow',
      headers: { accept: 'application/json, application/jwk-set+json' }, signal: AbortSignal.timeout(15000),
    });
  } catch (error) {
    const reason = error?.name === 'TimeoutError' ? 'the server did not answer within 15 s'
      : 'the server is unreachable, blocks cross-origin requests (CORS), or is plain http on another host';
    throw new Error(`Could not fetch ${href}: ${reason}. You can open it in a new tab and paste the JSON instead.`);
  }
  if (!response.ok) throw new Error(`${href} answered HTTP ${response.status} ${response.statusText}`.trim() + '.');
  const text = await response.text();
  let doc = null;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not JSON: hand the text to the engine anyway, which says what is wrong with it.
  }
  return { text, doc };
}

/**
 * Minified JWK Sets are hard to read, so fetched JSON is pretty-printed, but only when that loses
 * nothing the engine would judge (a duplicated member, a number's spelling): otherwise the text
 * stays exactly as served.
 */
function prettyIfLossless(text, doc) {
  if (doc === null) return text;
  const compact = text.replace(/"(?:[^"\\]|\\.)*"|\s+/g, (m) => (m.startsWith('"') ? m : ''));
  return compact === JSON.stringify(doc) ? JSON.stringify(doc, null, 2) : text;
}

/** Pretty-prints the pasted JWK Set when that changes nothing but whitespace. */
function formatJwks() {
  const text = ui.jwks.value;
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    setFetchStatus('error', `The JWK Set is not JSON yet: ${error.message}`);
    return;
  }
  const pretty = prettyIfLossless(text, doc);
  if (pretty === text && JSON.stringify(doc, null, 2) !== text) {
    setFetchStatus('error', 'Left as is: formatting would change more than whitespace (a repeated member name or a number\'s spelling), which the engine judges.');
    return;
  }
  ui.jwks.value = pretty;
  setFetchStatus('', '');
  onInput();
}

function setFetchStatus(kind, text) {
  ui.fetchStatus.dataset.kind = kind;
  ui.fetchStatus.textContent = text;
}

// ---------------------------------------------------------------- identity-provider presets

async function loadProviders() {
  try {
    ({ PROVIDERS: providers } = await import('./vendor/providers.js'));
  } catch {
    providers = []; // not built: the form works without presets
  }
  ui.provider.append(...providers.map((provider) => h('option', { value: provider.id, text: provider.name })));
}

function selectedProvider() {
  return providers.find((provider) => provider.id === ui.provider.value);
}

/** Fills the policy form with the chosen provider's policy (Custom leaves the form as it is). */
function onProviderChange() {
  const provider = selectedProvider();
  if (provider) setFields(policyFields(provider.policy));
  onInput();
}

/**
 * Under the provider choice: where the preset comes from, the placeholders still in the form, and,
 * when the token fills some, those values offered with one click (the user's decision: a policy
 * built from a token accepts that token).
 */
function renderProviderNote(decoded) {
  const provider = selectedProvider();
  const options = formPolicy();
  const left = placeholdersIn(options);
  const { bindings } = placeholderValues(options, decoded?.payload);
  const offered = Object.entries(bindings);
  draw(ui.providerNote, JSON.stringify([provider?.id, left, offered]), () => [
    provider ? h('p', {}, 'The policy that tokens of the shape this provider documents are tested with (',
      h('a', { href: provider.docs, target: '_blank', rel: 'noopener noreferrer', text: 'its documentation' }), ').') : null,
    left.length ? h('p', { 'data-placeholders': left.join(' ') }, 'Replace ', left.flatMap((name, i) => [i ? ', ' : '', h('code', { text: `{${name}}` })]), ' with your values.') : null,
    offered.length ? h('p', { class: 'use-values' }, h('button', { type: 'button', class: 'button button-quiet', id: 'use-token-values' },
      `Take them from this token: ${offered.map(([name, value]) => `${name} = ${value}`).join(', ')}`)) : null,
  ]);
  show(ui.providerNote, Boolean(provider) || left.length > 0);
}

/** The policy the form holds, as Verifier options without the keys. */
function formPolicy() {
  const { options: { jwks, cache, ...policy } } = readOptions();
  return policy;
}

function useTokenPlaceholders() {
  const options = formPolicy();
  const { bindings } = placeholderValues(options, lastDecoded()?.payload);
  setFields(policyFields(fillPlaceholders(options, bindings)));
  onInput();
  ui.provider.focus();
}

// ---------------------------------------------------------------- storage (opt-in only)

const STORED_FIELDS = [
  'token', 'dpop-proof', 'dpop-method', 'dpop-url', 'dpop-nonce', 'client-cert', 'jwks', 'jwks-url', 'provider', 'issuer',
  'audience', 'scopes', 'scope-claims', 'tolerance', 'subject', 'typ', 'required-claims', 'max-age', 'claim-values', 'sender-constraint',
];

function saveIfRemembered() {
  if (!ui.remember.checked) return;
  const state = { fields: {}, algorithms: selectedAlgorithms() };
  for (const id of STORED_FIELDS) state.fields[id] = $(id).value;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // Storage full or disabled: remembering is a convenience, the page works without it.
  }
}

function restore() {
  let state = null;
  try {
    state = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    state = null;
  }
  if (!state || typeof state !== 'object') return;
  ui.remember.checked = true;
  for (const id of STORED_FIELDS) {
    if (typeof state.fields?.[id] === 'string') $(id).value = state.fields[id];
  }
  applyAlgorithms(Array.isArray(state.algorithms) ? state.algorithms : []);
  if ([ui.proof, ui.proofMethod, ui.proofUrl, ui.proofNonce, ui.clientCert].some((input) => input.value)) ui.presentation.open = true;
}

function onRememberChange() {
  if (ui.remember.checked) {
    saveIfRemembered();
  } else {
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch {
      // Nothing stored, nothing to forget.
    }
  }
}

// ---------------------------------------------------------------- sample, clear, policy helpers

function applyAlgorithms(list) {
  for (const box of ui.algGroups.querySelectorAll('input[type=checkbox]')) box.checked = list.includes(box.value);
}

async function loadSample() {
  try {
    const response = await fetch('./sample.json', { cache: 'no-store' });
    const sample = await response.json();
    ui.token.value = sample.token;
    ui.jwks.value = JSON.stringify(sample.jwks, null, 2);
    ui.provider.value = '';
    setFields(policyFields(sample.policy ?? {}));
    highlightToken();
    onInput();
  } catch (error) {
    ui.tokenNote.textContent = `The sample could not be loaded: ${error.message}`;
    show(ui.tokenNote, true);
  }
}

function clearAll() {
  for (const id of STORED_FIELDS) $(id).value = '';
  ui.evaluateAt.value = '';
  applyAlgorithms([]);
  setFetchStatus('', '');
  highlightToken();
  onInput();
  ui.token.focus();
}

function buildAlgorithmChips() {
  ui.algGroups.replaceChildren(...ALG_FAMILIES.map(([family, algs]) =>
    h('div', { class: 'alg-group', role: 'group', 'aria-label': family },
      h('span', { class: 'alg-family', 'aria-hidden': 'true', text: family }),
      algs.map((alg) => h('label', { class: 'toggle', title: ALG_INFO.get(alg) },
        h('input', { type: 'checkbox', name: 'algorithms', value: alg }),
        h('span', { text: alg }))))));
}

// ---------------------------------------------------------------- wiring

let pending = 0;
/** Re-evaluates soon: typing stays smooth, and a paste shows its result at once. */
function onInput() {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(render);
}

function wire() {
  ui.token.addEventListener('input', () => {
    highlightToken();
    onInput();
  });
  ui.token.addEventListener('scroll', () => {
    ui.highlight.scrollTop = ui.token.scrollTop;
  });
  window.addEventListener('resize', autosize);
  ui.jwks.addEventListener('input', onInput);
  ui.presentation.addEventListener('input', onInput);
  ui.policy.addEventListener('input', onInput);
  ui.policy.addEventListener('change', onInput);
  ui.policy.addEventListener('submit', (event) => event.preventDefault());
  ui.provider.addEventListener('change', onProviderChange);
  ui.providerNote.addEventListener('click', (event) => {
    if (event.target.closest('#use-token-values')) useTokenPlaceholders();
  });
  ui.evaluateNow.addEventListener('click', () => {
    ui.evaluateAt.value = '';
    onInput();
  });
  ui.fetchButton.addEventListener('click', fetchJwks);
  ui.jwksUrl.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      fetchJwks();
    }
  });
  ui.jwksUrl.addEventListener('input', () => {
    saveIfRemembered();
    renderSuggestion(lastDecoded());
  });
  ui.suggestUrl.addEventListener('click', () => {
    const iss = lastDecoded()?.payload?.iss;
    if (typeof iss !== 'string') return;
    // Fills the field only; nothing is fetched until the user presses Fetch.
    ui.jwksUrl.value = `${iss.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    ui.suggestUrl.hidden = true;
    ui.jwksUrl.focus();
  });
  $('format-jwks').addEventListener('click', formatJwks);
  $('load-sample').addEventListener('click', loadSample);
  $('clear-all').addEventListener('click', clearAll);
  ui.remember.addEventListener('change', onRememberChange);
  // The live clock: relative times and the verdict (a token can expire while you look at it).
  setInterval(() => {
    if (ui.token.value && !ui.evaluateAt.value) render({ save: false });
  }, 1000);
}

function lastDecoded() {
  if (!engine) return null;
  const { token } = cleanTokenInput(ui.token.value);
  if (!token) return null;
  try {
    return engine.decode(token);
  } catch {
    return null;
  }
}

async function main() {
  buildAlgorithmChips();
  await loadProviders();
  ui.localZone.textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
  restore();
  wire();
  highlightToken();
  await startEngine();
  render();
  document.documentElement.dataset.ready = engine ? 'true' : 'false';
}

main();
