// The inspector page: reads the inputs, asks the jwtward engine (WebAssembly, loaded from
// ./vendor/jwtward/, filled by www/build.mjs) for the decoded token, its warnings, the JWK Set lint
// and the verdict with its checklist, and draws them. It decides nothing itself: every verdict,
// check and warning on screen is the engine's; this file only formats.
//
// Privacy: the page makes no request except its own files and, when the user presses Fetch, the
// JWKS URL they typed. The token never goes into the URL; it is stored only if the user ticks
// "Remember".

import {
  ALG_FAMILIES, ALG_INFO, CLAIM_INFO, HEADER_INFO, TIME_CLAIMS,
  cleanTokenInput, describeTime, formatDuration, formatLocal, formatUtc, isNumericDate,
  orderClaimNames, relative, scopeList, splitList, timelineLayout, tokenRuns,
} from './present.js';

const STORAGE_KEY = 'jwtward-inspector';
const $ = (id) => document.getElementById(id);

const ui = {
  token: $('token'),
  highlight: $('token-highlight'),
  tokenSize: $('token-size'),
  tokenNote: $('token-note'),
  jwks: $('jwks'),
  jwksError: $('jwks-error'),
  keysSummary: $('keys-summary'),
  jwksUrl: $('jwks-url'),
  fetchButton: $('fetch-jwks'),
  fetchStatus: $('fetch-status'),
  suggestUrl: $('suggest-url'),
  policy: $('policy'),
  policyError: $('policy-error'),
  algGroups: $('alg-groups'),
  issuer: $('issuer'),
  audience: $('audience'),
  scopes: $('scopes'),
  tolerance: $('tolerance'),
  subject: $('subject'),
  typ: $('typ'),
  requiredClaims: $('required-claims'),
  maxAge: $('max-age'),
  claimValues: $('claim-values'),
  evaluateAt: $('evaluate-at'),
  evaluateNow: $('evaluate-now'),
  morePolicy: $('more-policy'),
  remember: $('remember'),
  verdictCard: $('verdict-card'),
  verdict: $('verdict'),
  verdictMessage: $('verdict-message'),
  verdictFacts: $('verdict-facts'),
  checks: $('checks'),
  checksEmpty: $('checks-empty'),
  checksSummary: $('checks-summary'),
  warnings: $('warnings'),
  warningsSummary: $('warnings-summary'),
  timeline: $('timeline'),
  claims: $('claims'),
  claimsHint: $('claims-hint'),
  headerInfo: $('header-info'),
  headerJson: $('header-json'),
  payloadJson: $('payload-json'),
  engineStatus: $('engine-status'),
  engineVersion: $('engine-version'),
  localZone: $('local-zone'),
};

/** The engine module, once loaded. */
let engine = null;
/** The current Verifier and the options it was built from (rebuilt only when they change). */
let verifierState = { key: null, verifier: null, error: null };
/** What the last render drew, per section, so the once-a-second refresh touches only what changed. */
const drawn = new Map();

// ---------------------------------------------------------------- small DOM helpers

/** Creates an element; children are nodes or strings (always inserted as text, never as HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces a section's content only when what it shows changed. */
function draw(el, key, build) {
  if (drawn.get(el) === key) return;
  drawn.set(el, key);
  el.replaceChildren(...[build()].flat().filter(Boolean));
}

function show(el, visible) {
  el.hidden = !visible;
}

// ---------------------------------------------------------------- engine

async function loadEngine() {
  try {
    const mod = await import('./vendor/jwtward/index.js');
    if (typeof mod.ready === 'function') await mod.ready();
    engine = mod;
    ui.engineVersion.textContent = mod.version ? `jwtward ${mod.version}` : 'jwtward';
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

/** The engine's error as `{ code, message, field?, claim? }`, whatever was thrown. */
function asError(error) {
  if (error && typeof error === 'object' && typeof error.code === 'string') {
    return { code: error.code, message: String(error.message ?? ''), field: error.field, claim: error.claim };
  }
  return { code: 'ERROR', message: String(error?.message ?? error) };
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

/**
 * The Verifier options from the form. Only converts what the user typed; the engine validates the
 * options and the JWK Set and names the field it rejects.
 */
function readOptions() {
  const options = { jwks: ui.jwks.value, cache: false };
  const one = (list) => (list.length === 1 ? list[0] : list);
  const issuers = splitList(ui.issuer.value);
  if (issuers.length) options.issuer = one(issuers);
  const audiences = splitList(ui.audience.value);
  if (audiences.length) options.audience = one(audiences);
  const algorithms = selectedAlgorithms();
  if (algorithms.length) options.algorithms = algorithms;
  const scopes = splitList(ui.scopes.value);
  if (scopes.length) options.requiredScopes = scopes;
  if (ui.tolerance.value !== '') options.clockTolerance = Number(ui.tolerance.value);
  if (ui.subject.value.trim()) options.subject = ui.subject.value.trim();
  if (ui.typ.value.trim()) options.typ = ui.typ.value.trim();
  const required = splitList(ui.requiredClaims.value);
  if (required.length) options.requiredClaims = required;
  if (ui.maxAge.value !== '') options.maxTokenAge = Number(ui.maxAge.value);
  let formError = null;
  if (ui.claimValues.value.trim()) {
    try {
      const claims = JSON.parse(ui.claimValues.value);
      if (claims && typeof claims === 'object' && !Array.isArray(claims)) options.claims = claims;
      else formError = { field: 'claims', message: 'Claim values must be a JSON object, like { "tenant_id": "acme" }.' };
    } catch (error) {
      formError = { field: 'claims', message: `Claim values are not JSON: ${error.message}` };
    }
  }
  return { options, formError };
}

/** Which form control holds each option, to mark the one the engine rejects. */
const FIELD_INPUTS = {
  jwks: 'jwks', issuer: 'issuer', audience: 'audience', algorithms: 'alg-groups', requiredScopes: 'scopes',
  clockTolerance: 'tolerance', subject: 'subject', typ: 'typ', requiredClaims: 'required-claims',
  maxTokenAge: 'max-age', claims: 'claim-values',
};

/** A Verifier for the current keys and policy, built once per change of either. */
function currentVerifier(options) {
  const key = JSON.stringify(options);
  if (verifierState.key === key) return verifierState;
  verifierState.verifier?.free?.();
  verifierState = { key, verifier: null, error: null };
  try {
    verifierState.verifier = new engine.Verifier(options);
  } catch (error) {
    verifierState.error = asError(error);
  }
  return verifierState;
}

// ---------------------------------------------------------------- the model

/** Everything the page shows, computed from the inputs by the engine. */
function evaluate() {
  const { token, notes } = cleanTokenInput(ui.token.value);
  const now = currentNow();
  const model = { token, notes, now, live: evaluateAt() === null };
  if (!engine) return model;

  if (token) {
    try {
      model.inspected = engine.inspect(token);
    } catch (error) {
      model.decodeError = asError(error);
    }
  }

  const jwksText = ui.jwks.value.trim();
  if (jwksText) {
    try {
      model.lint = engine.lintJwks(jwksText);
    } catch (error) {
      model.lintError = asError(error);
    }
    const { options, formError } = readOptions();
    if (formError) {
      model.formError = formError;
    } else {
      const state = currentVerifier(options);
      if (state.error) model.configError = state.error;
      else if (token) model.report = state.verifier.explain(token, { now });
    }
  }
  return model;
}

// ---------------------------------------------------------------- rendering

function render({ save = true } = {}) {
  const model = evaluate();
  renderTokenMeta(model);
  renderFieldErrors(model);
  renderVerdict(model);
  renderChecks(model);
  renderWarnings(model);
  const decoded = model.report?.payload !== undefined ? model.report : model.inspected;
  renderClaims(decoded, model.now);
  renderDecoded(decoded);
  renderSuggestion(decoded);
  if (save) saveIfRemembered();
}

function renderTokenMeta(model) {
  const bytes = new TextEncoder().encode(model.token).length;
  ui.tokenSize.textContent = model.token ? `${bytes.toLocaleString()} bytes` : '';
  if (model.notes.length) {
    ui.tokenNote.textContent = `Removed ${model.notes.join(' and ')} before decoding.`;
  }
  show(ui.tokenNote, model.notes.length > 0);
}

function renderFieldErrors(model) {
  for (const id of Object.values(FIELD_INPUTS)) $(id).removeAttribute('aria-invalid');
  const jwksProblem = model.configError?.field === 'jwks' ? model.configError : null;
  const policyProblem = model.formError ?? (model.configError && model.configError.field !== 'jwks' ? model.configError : null);
  if (jwksProblem) {
    ui.jwks.setAttribute('aria-invalid', 'true');
    ui.jwksError.replaceChildren(h('code', { text: jwksProblem.code }), ' ', jwksProblem.message);
  }
  show(ui.jwksError, Boolean(jwksProblem));
  if (policyProblem) {
    // Fields like `claims.tenant_id` belong to the control of their option.
    const input = FIELD_INPUTS[String(policyProblem.field ?? '').split('.')[0]];
    if (input) $(input).setAttribute('aria-invalid', 'true');
    ui.policyError.replaceChildren(
      policyProblem.code ? h('code', { text: policyProblem.code }) : null, ' ', policyProblem.message,
    );
  }
  show(ui.policyError, Boolean(policyProblem));

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

function renderVerdict(model) {
  let state;
  let headline;
  let message;
  const facts = [];
  const report = model.report;
  if (!engine) {
    state = 'empty';
    headline = ['Engine not loaded'];
    message = 'The page needs the jwtward WebAssembly engine to decode and verify.';
  } else if (!model.token) {
    state = 'empty';
    headline = ['Waiting for a token'];
    message = 'Paste a JWT, or load the sample to see how it works.';
  } else if (report && report.valid) {
    state = 'valid';
    headline = ['Token is valid'];
    message = 'The signature verifies with your JWK Set and every claim meets the policy.';
    if (typeof report.payload?.sub === 'string') facts.push(['Subject', report.payload.sub]);
    if (report.kid) facts.push(['Key', report.kid]);
    if (report.alg) facts.push(['Algorithm', report.alg]);
    if (report.scopes?.length) facts.push(['Scopes', report.scopes.join(' ')]);
    if (isNumericDate(report.payload?.exp)) facts.push(['Expires', relative(report.payload.exp, model.now)]);
  } else if (report) {
    state = 'rejected';
    headline = [h('span', { class: 'verdict-word', text: 'Rejected' }), ' ', h('code', { class: 'verdict-code', text: report.code })];
    message = report.message;
    if (report.claim) facts.push(['Claim', report.claim]);
    const failed = report.checks?.find((check) => check.status === 'failed');
    if (failed) facts.push(['Failed check', failed.label]);
  } else if (model.decodeError) {
    state = 'rejected';
    headline = [h('span', { class: 'verdict-word', text: 'Cannot decode' }), ' ', h('code', { class: 'verdict-code', text: model.decodeError.code })];
    message = model.decodeError.message;
  } else if (model.configError || model.formError) {
    state = 'config';
    const problem = model.configError ?? model.formError;
    headline = [h('span', { class: 'verdict-word', text: 'Cannot verify' }), problem.code ? ' ' : '', problem.code ? h('code', { class: 'verdict-code', text: problem.code }) : null];
    const stop = /[.!?]$/.test(problem.message) ? '' : '.';
    message = `${problem.message}${stop} Fix the ${problem.field === 'jwks' ? 'JWK Set' : 'policy'} to verify; the token below is only decoded.`;
  } else {
    state = 'unverified';
    headline = ['Decoded, not verified'];
    message = 'Add the issuer\'s JWK Set to check the signature, the claims and your policy.';
  }
  if (!model.live) facts.push(['Evaluated at', formatUtc(model.now)]);

  ui.verdictCard.dataset.state = state;
  ui.verdict.dataset.state = state;
  draw(ui.verdict, `${state}|${textOf(headline)}`, () => headline);
  if (ui.verdictMessage.textContent !== message) ui.verdictMessage.textContent = message;
  draw(ui.verdictFacts, JSON.stringify(facts), () => facts.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]));
  show(ui.verdictFacts, facts.length > 0);
}

function textOf(parts) {
  return parts.map((part) => (part instanceof Node ? part.textContent : String(part ?? ''))).join('');
}

const STATUS_TEXT = { passed: 'passed', failed: 'failed', not_reached: 'not reached', skipped: 'skipped' };

function renderChecks(model) {
  const checks = model.report?.checks ?? [];
  draw(ui.checks, JSON.stringify(checks), () => checks.map((check) =>
    h('li', { class: `check check-${check.status}`, 'data-check': check.id, 'data-status': check.status },
      h('span', { class: 'check-icon', 'aria-hidden': 'true' }),
      h('div', { class: 'check-body' },
        h('div', { class: 'check-line' },
          h('span', { class: 'check-label', text: check.label }),
          h('span', { class: 'check-status', text: STATUS_TEXT[check.status] ?? check.status })),
        check.detail ? h('p', { class: 'check-detail', text: check.detail }) : null))));
  show(ui.checksEmpty, checks.length === 0);
  ui.checksEmpty.textContent = model.token && !ui.jwks.value.trim()
    ? 'Add a JWK Set to run every check: structure, algorithm, key, signature, claims and scopes.'
    : model.configError || model.formError
      ? 'The checks run once the JWK Set and policy are accepted.'
      : 'Paste a token and its JWK Set to see every check the verifier makes.';
  const counts = {};
  for (const check of checks) counts[check.status] = (counts[check.status] ?? 0) + 1;
  ui.checksSummary.textContent = checks.length
    ? ['passed', 'failed', 'not_reached', 'skipped'].filter((s) => counts[s]).map((s) => `${counts[s]} ${STATUS_TEXT[s]}`).join(' · ')
    : '';
}

function renderWarnings(model) {
  const tokenWarnings = model.inspected?.warnings ?? [];
  const lint = model.lint ?? [];
  const groups = [];
  if (tokenWarnings.length) {
    groups.push(['Token', tokenWarnings.map((w) => ({ code: w.code, message: w.message }))]);
  }
  if (lint.length) {
    groups.push(['JWK Set', lint.map((w) => ({ code: w.code, message: w.message, kid: w.kid }))]);
  }
  const total = tokenWarnings.length + lint.length;
  const hasInput = Boolean(model.inspected) || Boolean(model.lint);
  // Say exactly what was looked at: a JWK Set that does not parse has not been linted.
  const looked = [model.inspected && 'the token', model.lint && 'the keys'].filter(Boolean).join(' or ');
  const pending = model.lintError ? ' The JWK Set is linted once it parses.' : '';
  draw(ui.warnings, JSON.stringify([groups, looked, pending]), () => {
    if (!total) {
      if (!hasInput) {
        return h('p', { class: 'empty', text: `Warnings about the token (alg, lifetime, embedded keys…) and the JWK Set appear here, even before you verify.${pending}` });
      }
      return h('p', { class: 'empty empty-ok', text: `No warnings about ${looked}.${pending}` });
    }
    return [...groups.map(([title, items]) => h('div', { class: 'warning-group' },
      h('h3', { class: 'group-title', text: title }),
      h('ul', { class: 'warnings-list' }, items.map((item) => h('li', { class: 'warning', 'data-code': item.code },
        h('span', { class: 'warning-icon', 'aria-hidden': 'true', text: '!' }),
        h('div', {},
          h('code', { class: 'warning-code', text: item.code }),
          item.kid ? h('span', { class: 'warning-kid', text: `kid ${item.kid}` }) : null,
          h('p', { class: 'warning-message', text: item.message }))))))),
      pending ? h('p', { class: 'empty', text: pending.trim() }) : null];
  });
  ui.warningsSummary.textContent = total ? `${total} warning${total === 1 ? '' : 's'}` : '';
}

function renderClaims(decoded, now) {
  const payload = decoded?.payload;
  if (!payload || typeof payload !== 'object') {
    draw(ui.claims, 'none', () => h('p', { class: 'empty', text: 'The claims appear here, each explained, as soon as the token decodes.' }));
    show(ui.timeline, false);
    ui.claimsHint.textContent = '';
    return;
  }
  const names = orderClaimNames(payload);
  ui.claimsHint.textContent = `${names.length} claim${names.length === 1 ? '' : 's'}`;
  // The key includes the relative-time sentences so the once-a-second refresh redraws only when
  // one of them changes.
  const timeTexts = TIME_CLAIMS.map((name) => (isNumericDate(payload[name]) ? describeTime(name, payload[name], now) : ''));
  draw(ui.claims, JSON.stringify([payload, timeTexts]), () => names.map((name) => claimRow(name, payload[name], now)));

  const layout = timelineLayout(payload, now);
  show(ui.timeline, Boolean(layout));
  if (layout) draw(ui.timeline, JSON.stringify([layout, timeTexts]), () => timeline(layout, payload, now));
}

function claimRow(name, value, now) {
  const info = CLAIM_INFO.get(name);
  const title = info ? info[0] : 'Custom claim';
  const row = h('div', { class: `claim${info ? '' : ' claim-custom'}`, 'data-claim': name });
  row.append(h('div', { class: 'claim-name' }, h('code', { text: name }), h('span', { class: 'claim-title', text: title })));
  const body = h('div', { class: 'claim-body' });
  if (TIME_CLAIMS.includes(name) && isNumericDate(value)) {
    const past = value <= now;
    const tone = name === 'exp' ? (past ? 'bad' : 'good') : name === 'nbf' || name === 'iat' ? (past ? 'good' : 'bad') : 'neutral';
    body.append(
      h('p', { class: `claim-relative tone-${tone}`, text: describeTime(name, value, now) }),
      h('p', { class: 'claim-times' },
        h('span', { text: formatUtc(value) }), h('span', { class: 'muted', text: ' · ' }),
        h('span', { text: formatLocal(value) }), h('span', { class: 'muted', text: ` · ${value}` })),
    );
  } else if ((name === 'scope' || name === 'scp') && scopeList(value).length) {
    body.append(h('p', { class: 'chips' }, scopeList(value).map((scope) => h('span', { class: 'chip', text: scope }))));
  } else if (name === 'aud' && Array.isArray(value)) {
    body.append(h('p', { class: 'chips' }, value.map((aud) => h('span', { class: 'chip', text: typeof aud === 'string' ? aud : JSON.stringify(aud) }))));
  } else {
    body.append(h('p', { class: 'claim-value', text: typeof value === 'string' ? value : JSON.stringify(value) }));
  }
  if (info) body.append(h('p', { class: 'claim-info', text: info[1] }));
  row.append(body);
  return row;
}

const MARKER_TEXT = { iat: 'issued', nbf: 'not before', exp: 'expires', now: 'now' };

function timeline(layout, payload, now) {
  const track = h('div', { class: 'timeline-track' });
  // The window in which the raw timestamps allow use: from nbf (or iat) to exp. Shading only;
  // tolerance and maximum age are the engine's business, shown in the checks.
  const at = Object.fromEntries(layout.markers.map((m) => [m.id, m.position]));
  const start = at.nbf ?? at.iat;
  if (start !== undefined || at.exp !== undefined) {
    const band = h('div', { class: 'timeline-window' });
    const from = start ?? 0;
    const to = at.exp ?? 1;
    band.style.left = `${from * 100}%`;
    band.style.width = `${Math.max(to - from, 0) * 100}%`;
    track.append(band);
  }
  for (const mark of layout.breaks) {
    const el = h('div', { class: 'timeline-break' });
    el.style.left = `${mark.position * 100}%`;
    // The shortened stretch says how long it really is.
    const gap = h('span', { class: 'timeline-gap', text: formatDuration(mark.span) });
    gap.style.left = `${mark.position * 100}%`;
    track.append(el, gap);
  }
  const labels = h('div', { class: 'timeline-labels' });
  // Markers at the same moment (iat = nbf is common) share one label.
  const groups = [];
  for (const marker of layout.markers) {
    const last = groups.at(-1);
    if (last && Math.abs(last.position - marker.position) < 1e-9) last.ids.push(marker.id);
    else groups.push({ position: marker.position, ids: [marker.id], at: marker.at });
  }
  groups.forEach((group, index) => {
    const isNow = group.ids.includes('now');
    const dot = h('div', { class: `timeline-dot${isNow ? ' timeline-now' : ''}` });
    dot.style.left = `${group.position * 100}%`;
    track.append(dot);
    const label = h('div', { class: `timeline-label${isNow ? ' timeline-label-now' : ''}${index % 2 ? ' timeline-label-low' : ''}` },
      h('span', { class: 'timeline-name', text: group.ids.map((id) => MARKER_TEXT[id]).join(' · ') }),
      h('span', { class: 'timeline-when', text: isNow ? clockTime(now) : relative(group.at, now) }));
    label.style.left = `${group.position * 100}%`;
    if (group.position < 0.12) label.classList.add('align-start');
    else if (group.position > 0.88) label.classList.add('align-end');
    labels.append(label);
  });
  const lifetime = layout.lifetime !== null && layout.lifetime >= 0 ? `Lifetime ${formatDuration(layout.lifetime)} (exp − iat).` : '';
  const summary = TIME_CLAIMS.filter((c) => c !== 'auth_time' && isNumericDate(payload[c])).map((c) => describeTime(c, payload[c], now)).join(', ');
  return [
    h('p', { class: 'visually-hidden', text: `Timeline: ${summary}.` }),
    h('div', { class: 'timeline-figure', 'aria-hidden': 'true' }, track, labels),
    lifetime ? h('p', { class: 'timeline-caption', text: lifetime }) : null,
  ];
}

/** "14:05:09", the viewer's local clock time, for the timeline's "now". */
function clockTime(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function renderDecoded(decoded) {
  const header = decoded?.header;
  const payload = decoded?.payload;
  draw(ui.headerJson, JSON.stringify(header ?? null), () => (header ? jsonNodes(header) : h('span', { class: 'muted', text: '—' })));
  draw(ui.payloadJson, JSON.stringify(payload ?? null), () => (payload ? jsonNodes(payload) : h('span', { class: 'muted', text: '—' })));
  draw(ui.headerInfo, JSON.stringify(header ?? null), () => {
    if (!header) return [];
    return h('dl', { class: 'header-list' }, Object.keys(header).filter((name) => HEADER_INFO.has(name)).flatMap((name) => {
      const value = header[name];
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      const [title, meaning] = HEADER_INFO.get(name);
      const extra = (name === 'alg' && ALG_INFO.get(value)) || meaning;
      return [
        h('dt', { 'data-header': name }, h('code', { text: name }), ` ${title}`),
        h('dd', { 'data-header': name }, h('span', { class: 'header-value', text: shown.length > 80 ? `${shown.slice(0, 77)}…` : shown }), h('span', { class: 'claim-info', text: extra })),
      ];
    }));
  });
}

/** Pretty-printed JSON as coloured text nodes (keys, strings, numbers, literals). */
function jsonNodes(value) {
  const text = JSON.stringify(value, null, 2);
  const nodes = [];
  const pattern = /("(?:\\u[0-9a-fA-F]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) nodes.push(text.slice(last, match.index));
    if (match[1] !== undefined) {
      nodes.push(h('span', { class: match[2] ? 'j-key' : 'j-str', text: match[1] }));
      if (match[2]) nodes.push(match[2]);
    } else if (match[3] !== undefined) {
      nodes.push(h('span', { class: 'j-lit', text: match[3] }));
    } else {
      nodes.push(h('span', { class: 'j-num', text: match[4] }));
    }
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes;
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

// ---------------------------------------------------------------- storage (opt-in only)

const STORED_FIELDS = ['token', 'jwks', 'jwks-url', 'issuer', 'audience', 'scopes', 'tolerance', 'subject', 'typ', 'required-claims', 'max-age', 'claim-values'];

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
    const policy = sample.policy ?? {};
    ui.issuer.value = [policy.issuer ?? []].flat().join(' ');
    ui.audience.value = [policy.audience ?? []].flat().join(' ');
    ui.scopes.value = (policy.requiredScopes ?? []).join(' ');
    ui.tolerance.value = policy.clockTolerance ?? '';
    applyAlgorithms(policy.algorithms ?? []);
    highlightToken();
    onInput();
  } catch (error) {
    ui.verdictMessage.textContent = `The sample could not be loaded: ${error.message}`;
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
  ui.policy.addEventListener('input', onInput);
  ui.policy.addEventListener('change', onInput);
  ui.policy.addEventListener('submit', (event) => event.preventDefault());
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
  ui.localZone.textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
  restore();
  wire();
  highlightToken();
  await loadEngine();
  render();
  document.documentElement.dataset.ready = engine ? 'true' : 'false';
}

main();
