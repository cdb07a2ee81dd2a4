// The inspector's view of one token: verdict, checklist, warnings, claims (with the timeline) and
// the decoded header and payload. The inspector page and the DevTools panel both show tokens
// through this one module. It draws a model from evaluate.js and decides nothing: every verdict,
// check and warning is the engine's, this file only formats.

import { draw, h, show, textOf } from './dom.js';
import {
  ALG_INFO, CLAIM_INFO, CNF_INFO, DPOP_MEMBERS, HEADER_INFO, TIME_CLAIMS,
  describeTime, formatDuration, formatLocal, formatUtc, isNumericDate, isSenderCheck, missingProof, orderClaimNames,
  policySuggestions, relative, scopeList, timelineLayout, typInfo,
} from './present.js';
import { decodedOf } from './evaluate.js';

/** The claims the engine reads scopes from when the policy names none. */
const DEFAULT_SCOPE_CLAIMS = ['scope', 'scp'];
const STATUS_TEXT = new Map([['passed', 'passed'], ['failed', 'failed'], ['not_reached', 'not reached'], ['skipped', 'skipped']]);
const MARKER_TEXT = new Map([['iat', 'issued'], ['nbf', 'not before'], ['exp', 'expires'], ['now', 'now']]);

/** The result cards, as the page and the panel lay them out (ids are unique per document). */
function cards(waiting) {
  return {
    verdictCard: h('section', { class: 'card verdict-card', id: 'verdict-card', 'data-state': 'empty', 'aria-labelledby': 'verdict-heading', tabindex: '-1' },
      h('h2', { id: 'verdict-heading', class: 'visually-hidden', text: 'Verdict' }),
      h('div', { class: 'verdict-live', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
        h('div', { class: 'verdict-icon', 'aria-hidden': 'true' }),
        h('div', { class: 'verdict-body' },
          h('p', { id: 'verdict', class: 'verdict', 'data-state': 'empty', text: 'Waiting for a token' }),
          h('p', { id: 'verdict-message', class: 'verdict-message', text: waiting }))),
      h('dl', { class: 'verdict-facts', id: 'verdict-facts', hidden: true }),
      h('div', { class: 'verdict-notes', id: 'verdict-notes', hidden: true })),
    checksCard: h('section', { class: 'card', id: 'checks-card', 'aria-labelledby': 'checks-heading' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'checks-heading', text: 'Checks' }),
        h('span', { class: 'card-hint', id: 'checks-summary' })),
      h('ol', { class: 'checks', id: 'checks' }),
      h('div', { class: 'check-group', id: 'sender-checks', hidden: true }),
      h('p', { class: 'empty', id: 'checks-empty' })),
    proofCard: h('section', { class: 'card proof-card', id: 'proof-card', 'aria-labelledby': 'proof-heading', hidden: true },
      h('div', { class: 'card-head' },
        h('h2', { id: 'proof-heading', text: 'Sender constraint' }),
        h('span', { class: 'card-hint', id: 'proof-hint' })),
      h('div', { id: 'proof' })),
    warningsCard: h('section', { class: 'card', id: 'warnings-card', 'aria-labelledby': 'warnings-heading' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'warnings-heading', text: 'Warnings' }),
        h('span', { class: 'card-hint', id: 'warnings-summary' })),
      h('div', { id: 'warnings' })),
    claimsCard: h('section', { class: 'card', id: 'claims-card', 'aria-labelledby': 'claims-heading' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'claims-heading', text: 'Claims' }),
        h('span', { class: 'card-hint', id: 'claims-hint' })),
      h('div', { class: 'timeline', id: 'timeline', hidden: true }),
      h('div', { class: 'claims', id: 'claims' })),
    decodedCard: h('section', { class: 'card', id: 'decoded-card', 'aria-labelledby': 'decoded-heading' },
      h('div', { class: 'card-head' },
        h('h2', { id: 'decoded-heading', text: 'Decoded' }),
        h('span', { class: 'card-hint', text: 'Not verified until the verdict says so' })),
      h('div', { class: 'decoded' },
        h('div', { class: 'decoded-part' },
          h('h3', { class: 'part-title part-header', text: 'Header' }),
          h('div', { id: 'header-info', class: 'header-info' }),
          h('pre', { class: 'json', id: 'header-json', tabindex: '0', 'aria-label': 'Header JSON' })),
        h('div', { class: 'decoded-part' },
          h('h3', { class: 'part-title part-payload', text: 'Payload' }),
          h('pre', { class: 'json', id: 'payload-json', tabindex: '0', 'aria-label': 'Payload JSON' })))),
  };
}

/**
 * Builds the result cards into `container`, in reading order (or as `layout` says: a list of
 * `[element, ['verdictCard', 'checksCard', ...]]` pairs), and returns `{ render(model), cards }`.
 * - `texts.waiting`: what the empty verdict says (where the user gets a token from);
 * - `texts.replay`: what the DPoP proof's jti line says about replays (explain records no proof);
 * - `onUseValue(option, value)`: the user picked one of the token's own values for an unset
 *   policy option (`audience`, `issuer`); the host fills its field and evaluates again;
 * - `onPresent(kind)`: a bound token was refused for want of its proof, and the user asked for
 *   the field to give it (`'dpop'`: the DPoP proof, `'mtls'`: the client certificate's hash).
 */
export function createInspectorView(container, { layout, texts = {}, onUseValue, onPresent } = {}) {
  const waiting = texts.waiting ?? 'Paste a JWT, or load the sample to see how it works.';
  const replay = texts.replay ?? 'Replays are not detected here: explain records no proof, so the same proof checks again.';
  const built = cards(waiting);
  const places = layout ?? [[container, ['verdictCard', 'proofCard', 'checksCard', 'warningsCard', 'claimsCard', 'decodedCard']]];
  for (const [place, names] of places) place.append(...names.map((name) => built[name]));
  const $ = (id) => findIn(built, id);
  const ui = {
    verdictCard: built.verdictCard,
    verdict: $('verdict'),
    verdictMessage: $('verdict-message'),
    verdictFacts: $('verdict-facts'),
    verdictNotes: $('verdict-notes'),
    checks: $('checks'),
    senderChecks: $('sender-checks'),
    checksEmpty: $('checks-empty'),
    proofCard: built.proofCard,
    proofHint: $('proof-hint'),
    proof: $('proof'),
    checksSummary: $('checks-summary'),
    warnings: $('warnings'),
    warningsSummary: $('warnings-summary'),
    timeline: $('timeline'),
    claims: $('claims'),
    claimsHint: $('claims-hint'),
    headerInfo: $('header-info'),
    headerJson: $('header-json'),
    payloadJson: $('payload-json'),
  };

  built.verdictCard.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-option]');
    if (button && onUseValue) onUseValue(button.dataset.option, button.dataset.value);
    const present = event.target.closest('button[data-present]');
    if (present && onPresent) onPresent(present.dataset.present);
  });

  function render(model) {
    const decoded = decodedOf(model);
    renderVerdict(ui, model, decoded, waiting, Boolean(onUseValue), Boolean(onPresent));
    renderChecks(ui, model);
    renderProof(ui, model, decoded, replay);
    renderWarnings(ui, model);
    renderClaims(ui, decoded, model.now, model.options?.scopeClaims ?? DEFAULT_SCOPE_CLAIMS);
    renderDecoded(ui, decoded);
  }
  return { render, cards: built };
}

/** An element of the cards by id, whether or not they are in a document yet. */
function findIn(built, id) {
  for (const card of Object.values(built)) {
    const found = card.id === id ? card : card.querySelector(`#${id}`);
    if (found) return found;
  }
  return null;
}

function renderVerdict(ui, model, decoded, waiting, canUse, canPresent) {
  let state;
  let headline;
  let message;
  const facts = [];
  const report = model.report;
  if (!model.engineLoaded) {
    state = 'empty';
    headline = ['Engine not loaded'];
    message = 'The page needs the jwtward WebAssembly engine to decode and verify.';
  } else if (!model.token) {
    state = 'empty';
    headline = ['Waiting for a token'];
    message = waiting;
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
  } else if (model.configError || model.formError || model.presentationError) {
    state = 'config';
    const problem = model.configError ?? model.formError ?? model.presentationError;
    headline = [h('span', { class: 'verdict-word', text: 'Cannot verify' }), problem.code ? ' ' : '', problem.code ? h('code', { class: 'verdict-code', text: problem.code }) : null];
    const stop = /[.!?]$/.test(problem.message) ? '' : '.';
    const what = problem === model.presentationError ? 'request (DPoP proof, method, URL, certificate)' : problem.field === 'jwks' ? 'JWK Set' : 'policy';
    message = `${problem.message}${stop} Fix the ${what} to verify; the token below is only decoded.`;
  } else {
    state = 'unverified';
    headline = ['Decoded, not verified'];
    message = 'Add the issuer\'s JWK Set to check the signature, the claims and your policy.';
  }
  if (!model.live) facts.push(['Evaluated at', `${formatUtc(model.now)}${model.evaluatedAtNote ? `, ${model.evaluatedAtNote}` : ''}`]);

  ui.verdictCard.dataset.state = state;
  ui.verdictCard.dataset.now = String(model.now ?? '');
  ui.verdict.dataset.state = state;
  draw(ui.verdict, `${state}|${textOf(headline)}`, () => headline);
  if (ui.verdictMessage.textContent !== message) ui.verdictMessage.textContent = message;
  draw(ui.verdictFacts, JSON.stringify(facts), () => facts.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]));
  show(ui.verdictFacts, facts.length > 0);

  // Once the engine has judged the token, say which of its own values the policy leaves unset.
  const suggestions = report ? policySuggestions(decoded?.payload, model.options) : [];
  const audFailed = report?.checks?.some((check) => check.id === 'aud' && check.status === 'failed');
  // A bound token refused for want of its proof: what the API needs, and (on the page) the field.
  const need = missingProof(report, model.presentation);
  draw(ui.verdictNotes, JSON.stringify([suggestions, audFailed, canUse, need, canPresent]), () => [
    need ? proofNote(need, canPresent) : null,
    ...suggestions.map((item) => policyNote(item, audFailed, canUse)),
  ]);
  show(ui.verdictNotes, suggestions.length > 0 || Boolean(need));
}

const PROOF_NOTES = new Map([
  ['dpop', ['This token is bound to a DPoP key (cnf.jkt): an API accepts it only with the DPoP scheme and a DPoP proof signed by that key, in the DPoP header of the same request (RFC 9449).', 'Add its DPoP proof']],
  ['mtls', ['This token is bound to a TLS client certificate (cnf.x5t#S256): an API accepts it only over mutual TLS with that certificate (RFC 8705).', 'Add the certificate\'s SHA-256']],
]);

/** "This token is bound to a DPoP key… [Add its DPoP proof]" */
function proofNote(need, canPresent) {
  const [text, action] = PROOF_NOTES.get(need);
  return h('p', { class: 'policy-note', 'data-need': need }, h('span', { text: `${text} ` }),
    canPresent ? h('span', { class: 'use-values' }, h('button', { type: 'button', class: 'button button-quiet', 'data-present': need, text: action })) : null);
}

const NOTE_TEXT = new Map([
  ['aud', (refused) => [
    `No audience is configured${refused ? ', so a token that names one is refused' : ''}.`,
    'This token is for',
  ]],
  ['iss', () => ['No issuer is configured, so tokens from any issuer pass.', 'This token is from']],
]);

/** "No audience is configured… This token is for api://orders. [Use api://orders]" */
function policyNote({ claim, option, values }, audFailed, canUse) {
  const [situation, lead] = NOTE_TEXT.get(claim)(audFailed);
  const shown = values.slice(0, 5);
  return h('p', { class: 'policy-note', 'data-claim': claim },
    h('span', { text: `${situation} ${lead} ` }),
    shown.flatMap((value, index) => [index ? ', ' : '', h('code', { text: value })]),
    values.length > shown.length ? ` and ${values.length - shown.length} more` : '', '.',
    canUse ? h('span', { class: 'use-values' }, shown.map((value) =>
      h('button', { type: 'button', class: 'button button-quiet use-value', 'data-option': option, 'data-value': value, title: `Set the policy's ${option} to ${value}` },
        `Use ${value}`))) : null);
}

function checkItem(check) {
  return h('li', { class: `check check-${check.status}`, 'data-check': check.id, 'data-status': check.status },
    h('span', { class: 'check-icon', 'aria-hidden': 'true' }),
    h('div', { class: 'check-body' },
      h('div', { class: 'check-line' },
        h('span', { class: 'check-label', text: check.label }),
        h('span', { class: 'check-status', text: STATUS_TEXT.get(check.status) ?? check.status })),
      check.detail ? h('p', { class: 'check-detail', text: check.detail }) : null));
}

/** "2 passed · 13 skipped" */
function statusCounts(checks) {
  const counts = new Map();
  for (const check of checks) counts.set(check.status, (counts.get(check.status) ?? 0) + 1);
  return [...STATUS_TEXT].filter(([status]) => counts.has(status)).map(([status, text]) => `${counts.get(status)} ${text}`).join(' · ');
}

function renderChecks(ui, model) {
  const checks = model.report?.checks ?? [];
  // The sender-constraint lines (DPoP, mTLS) under their own heading, in the engine's order;
  // folded away when none of them was decided (an unbound token presented alone).
  const tokenChecks = checks.filter((check) => !isSenderCheck(check.id));
  const senderChecks = checks.filter((check) => isSenderCheck(check.id));
  draw(ui.checks, JSON.stringify(tokenChecks), () => tokenChecks.map(checkItem));
  draw(ui.senderChecks, JSON.stringify(senderChecks), () => {
    if (!senderChecks.length) return [];
    const decided = senderChecks.some((check) => check.status === 'passed' || check.status === 'failed');
    const title = 'Sender constraint (DPoP, mTLS)';
    const list = h('ol', { class: 'checks', id: 'sender-checks-list' }, senderChecks.map(checkItem));
    if (decided) return [h('h3', { class: 'group-title check-group-title', text: title }), list];
    // Why none was decided, in the engine's words (the cnf line: "not sender-constrained").
    const why = senderChecks.find((check) => check.id === 'cnf')?.detail;
    return h('details', { class: 'check-fold' },
      h('summary', { class: 'group-title check-group-title' }, `${title}: ${statusCounts(senderChecks)}${why ? ` (${why})` : ''}`), list);
  });
  show(ui.senderChecks, senderChecks.length > 0);
  show(ui.checksEmpty, checks.length === 0);
  ui.checksEmpty.textContent = model.token && !model.hasKeys
    ? 'Add a JWK Set to run every check: structure, algorithm, key, signature, claims and scopes.'
    : model.configError || model.formError
      ? 'The checks run once the JWK Set and policy are accepted.'
      : 'Paste a token and its JWK Set to see every check the verifier makes.';
  ui.checksSummary.textContent = statusCounts(checks);
}

/** A plain object (not an array, not null), as a `cnf` claim or a proof's `jwk` is. */
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A value as one line of text: strings as they are, the rest as JSON. */
const asText = (value) => (typeof value === 'string' ? value : JSON.stringify(value, null, 1).replace(/\n\s*/g, ' '));

/** The engine's verdict on one part (a checklist line), as a small tag beside it. */
function statusTag(check, fallback) {
  const status = check?.status ?? 'unchecked';
  const text = check ? STATUS_TEXT.get(status) ?? status : fallback;
  return h('span', { class: `proof-status check-${status}`, 'data-check': check?.id, 'data-status': status },
    h('span', { class: 'check-icon', 'aria-hidden': 'true' }), h('span', { class: 'check-status', text }));
}

/** One row of the sender-constraint card: name, value (with its meaning and notes) and the engine's verdict. */
function proofRow({ key, name, title, value, meaning, notes = [], check, fallback, absent = 'absent', checked = true, skipDetail = true, replay }) {
  // The engine's reason beside a failed member, and beside a skipped one ("no nonce expected").
  const explained = check?.status === 'failed' || (skipDetail && check?.status === 'skipped');
  return h('div', { class: 'proof-row', 'data-member': key },
    h('div', { class: 'proof-name' }, h('code', { text: name }), h('span', { class: 'claim-title', text: title })),
    h('div', { class: 'proof-value' },
      value === undefined ? h('p', { class: 'muted', text: absent }) : h('p', { class: 'claim-value', text: value }),
      ...notes.map((note) => h('p', { class: 'claim-relative', text: note })),
      check?.detail && explained ? h('p', { class: `check-detail proof-detail check-${check.status}`, text: check.detail }) : null,
      replay ? h('p', { class: 'proof-replay', text: replay }) : null,
      meaning ? h('p', { class: 'claim-info', text: meaning }) : null),
    checked ? statusTag(check, fallback) : null);
}

/**
 * The sender-constraint card: the DPoP proof as the engine decoded it, each member beside the
 * checklist line that judges it; the proof key's thumbprint the engine computed (the passed
 * dpop_jwk line says it) against the token's cnf.jkt; the client certificate's hash against its
 * cnf.x5t#S256. Shown when the token is bound or a proof or certificate is given.
 */
function renderProof(ui, model, decoded, replayText) {
  const payload = decoded?.payload;
  const cnf = isObject(payload?.cnf) ? payload.cnf : null;
  const dpop = model.presentation?.dpop;
  const certificate = model.presentation?.clientCertificate;
  const visible = Boolean(model.token) && Boolean(dpop?.proof || certificate || cnf);
  show(ui.proofCard, visible);
  if (!visible) {
    draw(ui.proof, 'none', () => []);
    ui.proofHint.textContent = '';
    return;
  }
  const checks = new Map((model.report?.checks ?? []).filter((check) => isSenderCheck(check.id)).map((check) => [check.id, check]));
  // Without a verdict (no keys yet), nothing is checked: the proof is checked with the token.
  const fallback = model.report ? 'not checked' : 'needs keys';
  const proof = model.proof?.decoded;
  const proofIat = isNumericDate(proof?.payload?.iat) ? describeTime('iat', proof.payload.iat, model.now) : '';
  const dpopBound = cnf && Object.hasOwn(cnf, 'jkt');
  const certBound = cnf && Object.hasOwn(cnf, 'x5t#S256');
  ui.proofHint.textContent = [dpop?.proof || dpopBound ? 'DPoP (RFC 9449)' : '', certificate || certBound ? 'mTLS (RFC 8705)' : ''].filter(Boolean).join(' · ');
  const key = JSON.stringify([model.proof, dpop, certificate, cnf, [...checks.values()], proofIat, fallback]);
  draw(ui.proof, key, () => {
    const parts = [];
    if (dpop?.proof) {
      const request = `${dpop.method ?? '(no method)'} ${dpop.url ?? '(no URL)'}`;
      const nonces = [dpop.nonce ?? []].flat();
      parts.push(h('div', { class: 'proof-section', id: 'proof-dpop' },
        h('h3', { class: 'group-title', text: 'DPoP proof' }),
        h('p', { class: 'proof-request' }, 'Checked against the request ', h('code', { id: 'proof-request', text: request }),
          nonces.length ? [', expected nonce ', nonces.flatMap((n, i) => [i ? ' or ' : '', h('code', { text: n })])] : null, '.'),
        model.proof?.decodeError
          ? h('p', { class: 'field-error proof-decode-error' }, h('code', { text: model.proof.decodeError.code }), ' ', model.proof.decodeError.message)
          : null,
        proof ? h('div', { class: 'proof-list' }, DPOP_MEMBERS.map(([part, name, checkId, title, meaning]) => {
          const value = proof[part]?.[name];
          const notes = [];
          if (name === 'alg' && ALG_INFO.has(value)) notes.push(ALG_INFO.get(value));
          if (name === 'typ' && typInfo(value)) notes.push(typInfo(value));
          if (name === 'iat' && isNumericDate(value)) notes.push(`${describeTime('iat', value, model.now)} · ${formatUtc(value)}`);
          return proofRow({
            key: `${part}.${name}`, name, title, value: value === undefined ? undefined : asText(value), meaning, notes, check: checks.get(checkId), fallback,
            replay: name === 'jti' ? replayText : undefined,
          });
        })) : null,
        proof ? h('details', { class: 'proof-json' }, h('summary', { text: 'The proof as decoded' }),
          h('div', { class: 'decoded' },
            h('pre', { class: 'json', tabindex: '0', 'aria-label': 'DPoP proof header JSON' }, jsonNodes(proof.header)),
            h('pre', { class: 'json', tabindex: '0', 'aria-label': 'DPoP proof payload JSON' }, jsonNodes(proof.payload)))) : null));
    }
    if (dpop?.proof || dpopBound) {
      // The thumbprint is the engine's: the dpop_jwk line names it once the proof's key is sound.
      const jwkCheck = checks.get('dpop_jwk');
      const thumbprint = jwkCheck?.status === 'passed' && jwkCheck.detail ? jwkCheck.detail : undefined;
      parts.push(h('div', { class: 'proof-section', id: 'proof-binding' },
        h('h3', { class: 'group-title', text: 'Bound to the proof\'s key' }),
        h('div', { class: 'proof-list' },
          proofRow({ key: 'thumbprint', name: 'jkt', title: 'Proof key thumbprint', value: thumbprint, meaning: 'RFC 7638 SHA-256 thumbprint of the proof\'s jwk, computed by jwtward.', absent: dpop?.proof ? 'not computed: the proof\'s key was not accepted' : 'no DPoP proof given', check: jwkCheck, fallback, skipDetail: false }),
          proofRow({ key: 'cnf.jkt', name: 'cnf.jkt', title: 'The token\'s binding', value: dpopBound ? asText(cnf.jkt) : undefined, meaning: CNF_INFO.get('jkt')[1], absent: 'the token is not DPoP-bound', check: checks.get('cnf_jkt'), fallback }))));
    }
    if (certificate || certBound) {
      parts.push(h('div', { class: 'proof-section', id: 'proof-certificate' },
        h('h3', { class: 'group-title', text: 'Bound to the client certificate' }),
        h('div', { class: 'proof-list' },
          proofRow({ key: 'certificate', name: 'SHA-256', title: 'Client certificate', value: certificate?.sha256 ?? (certificate ? '(DER bytes)' : undefined), meaning: 'The SHA-256 of the TLS client certificate\'s DER, base64url, as given.', absent: 'no client certificate given', checked: false }),
          proofRow({ key: 'cnf.x5t#S256', name: 'cnf.x5t#S256', title: 'The token\'s binding', value: certBound ? asText(cnf['x5t#S256']) : undefined, meaning: CNF_INFO.get('x5t#S256')[1], absent: 'the token is not certificate-bound', check: checks.get('cnf_x5t'), fallback }))));
    }
    return parts;
  });
}

function renderWarnings(ui, model) {
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

function renderClaims(ui, decoded, now, scopeClaims) {
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
  draw(ui.claims, JSON.stringify([payload, timeTexts, scopeClaims]), () => names.map((name) => claimRow(name, payload[name], now, scopeClaims.includes(name))));

  const layout = timelineLayout(payload, now);
  show(ui.timeline, Boolean(layout));
  if (layout) draw(ui.timeline, JSON.stringify([layout, timeTexts]), () => timeline(layout, payload, now));
}

function claimRow(name, value, now, grantsScopes) {
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
  } else if (grantsScopes && scopeList(value).length) {
    body.append(h('p', { class: 'chips' }, scopeList(value).map((scope) => h('span', { class: 'chip', text: scope }))));
  } else if (name === 'cnf' && isObject(value)) {
    // The confirmation's members, each explained: the key or certificate the token is bound to.
    body.append(h('dl', { class: 'cnf-list' }, Object.keys(value).flatMap((member) => [
      h('dt', { 'data-cnf': member }, h('code', { text: member }), CNF_INFO.has(member) ? ` ${CNF_INFO.get(member)[0]}` : ''),
      h('dd', { 'data-cnf': member }, h('span', { class: 'claim-value', text: asText(value[member]) }),
        CNF_INFO.has(member) ? h('span', { class: 'claim-info', text: CNF_INFO.get(member)[1] }) : null),
    ])));
  } else if (name === 'aud' && Array.isArray(value)) {
    body.append(h('p', { class: 'chips' }, value.map((aud) => h('span', { class: 'chip', text: typeof aud === 'string' ? aud : JSON.stringify(aud) }))));
  } else {
    body.append(h('p', { class: 'claim-value', text: typeof value === 'string' ? value : JSON.stringify(value) }));
  }
  if (info) body.append(h('p', { class: 'claim-info', text: info[1] }));
  row.append(body);
  return row;
}

function timeline(layout, payload, now) {
  const track = h('div', { class: 'timeline-track' });
  // The window in which the raw timestamps allow use: from nbf (or iat) to exp. Shading only;
  // tolerance and maximum age are the engine's business, shown in the checks.
  const at = new Map(layout.markers.map((m) => [m.id, m.position]));
  const start = at.get('nbf') ?? at.get('iat');
  if (start !== undefined || at.has('exp')) {
    const band = h('div', { class: 'timeline-window' });
    const from = start ?? 0;
    const to = at.get('exp') ?? 1;
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
      h('span', { class: 'timeline-name', text: group.ids.map((id) => MARKER_TEXT.get(id)).join(' · ') }),
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
export function clockTime(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function renderDecoded(ui, decoded) {
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
      const extra = (name === 'alg' && ALG_INFO.get(value)) || (name === 'typ' && typInfo(value)) || meaning;
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
