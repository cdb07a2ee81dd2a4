// What the inspector shows about one token, asked of the jwtward engine: the decoded token and its
// warnings (`inspect`), the JWK Set's lint (`lintJwks`) and the verdict with its checklist
// (`Verifier#explain`). Shared by the inspector page and the DevTools panel; nothing here decides
// anything, it only collects the engine's answers into one model for the view (view.js).

/**
 * The jwtward engine: the package's browser build, copied next to this file by www/build.mjs
 * (vendor/), ready to use. Rejects when it is not built or the WebAssembly does not load.
 */
export async function loadEngine() {
  const engine = await import('./vendor/jwtward/index.js');
  if (typeof engine.ready === 'function') await engine.ready();
  return engine;
}

/** The engine's error as `{ code, message, field?, claim? }`, whatever was thrown. */
export function asError(error) {
  if (error && typeof error === 'object' && typeof error.code === 'string') {
    return { code: error.code, message: String(error.message ?? ''), field: error.field, claim: error.claim };
  }
  return { code: 'ERROR', message: String(error?.message ?? error) };
}

/**
 * Verifiers built from option sets, each built once and reused while its options stay the same.
 * The least recently used is freed beyond `max` (the page keeps one; the panel one per issuer and
 * API origin).
 */
export class Verifiers {
  #engine;
  #max;
  #built = new Map();

  constructor(engine, { max = 1 } = {}) {
    this.#engine = engine;
    this.#max = max;
  }

  /**
   * `{ verifier }`, or `{ error }` when the engine refuses the options or the JWK Set. `key` names
   * the options when JSON can't (a RemoteJwks as `jwks`).
   */
  get(options, key = JSON.stringify(options)) {
    let entry = this.#built.get(key);
    if (entry) {
      this.#built.delete(key);
    } else {
      entry = {};
      try {
        entry.verifier = new this.#engine.Verifier(options);
      } catch (error) {
        entry.error = asError(error);
      }
    }
    this.#built.set(key, entry);
    while (this.#built.size > this.#max) {
      const [oldest, old] = this.#built.entries().next().value;
      this.#built.delete(oldest);
      old.verifier?.free?.();
    }
    return entry;
  }

  clear() {
    for (const entry of this.#built.values()) entry.verifier?.free?.();
    this.#built.clear();
  }
}

/**
 * Everything the view shows for `token` at `now`:
 * - `inspected` (decoded token and warnings) or `decodeError`;
 * - with a JWK Set (`jwks`, text): `lint` or `lintError`, then `report` (explain's checklist),
 *   or `formError` (a policy field the form could not read) / `configError` (the engine refused
 *   the options or the keys).
 * `options` are the Verifier options (with `jwks`: the text, or a key source whose fetched text is
 * `jwks`, then named by `verifierKey`); `verifiers` a Verifiers of the same engine. A caller that
 * already has the token's `inspect` answer passes it as `decoded` (`{ inspected }` or
 * `{ decodeError }`); `lint: false` leaves the JWK Set's lint out, and the proof's decoding (a
 * verdict alone).
 * `presentation`: how the request presented the token, explain's `dpop`, `clientCertificate` and
 * `scheme` options (a sender-constrained token is judged with its DPoP proof or certificate). The
 * proof, decoded by the engine, is `proof` (`{ decoded }` or `{ decodeError }`); an option the
 * engine refuses is `presentationError` (its `field` names it: `dpop.url`, `clientCertificate`...).
 */
export function evaluateToken(engine, { token, jwks = '', options, formError = null, verifiers, verifierKey, now, decoded, lint = true, presentation = {} }) {
  const model = { token, now, engineLoaded: Boolean(engine), hasKeys: Boolean(jwks.trim()), options, presentation };
  if (!engine) return model;
  if (decoded) {
    Object.assign(model, decoded);
  } else if (token) {
    try {
      model.inspected = engine.inspect(token);
    } catch (error) {
      model.decodeError = asError(error);
    }
  }
  const proof = presentation.dpop?.proof;
  if (lint && typeof proof === 'string' && proof) {
    // `decode`, not `inspect`: the token warnings (no exp, a key in the header) are a proof's nature.
    try {
      model.proof = { decoded: engine.decode(proof) };
    } catch (error) {
      model.proof = { decodeError: asError(error) };
    }
  }
  if (model.hasKeys) {
    if (lint) {
      try {
        model.lint = engine.lintJwks(jwks);
      } catch (error) {
        model.lintError = asError(error);
      }
    }
    if (formError) {
      model.formError = formError;
    } else {
      const built = verifiers.get(options, verifierKey);
      if (built.error) {
        model.configError = built.error;
      } else if (token) {
        try {
          model.report = built.verifier.explain(token, { ...presentation, now });
        } catch (error) {
          const problem = asError(error);
          // A request option the engine refuses (a DPoP URL that is not absolute, a certificate
          // hash that is not base64url), or remote keys that are not there (ERR_JWKS_UNAVAILABLE):
          // no verdict on the token.
          if (isPresentationField(problem.field)) model.presentationError = problem;
          else model.configError = problem;
        }
      }
    }
  }
  return model;
}

/** Whether an option error's `field` is one of explain's request options (`dpop.url`, `clientCertificate.sha256`...). */
export function isPresentationField(field) {
  return /^(?:dpop|clientCertificate|scheme)(?:\.|$)/.test(String(field ?? ''));
}

/** The decoded token to show: the verified one when the engine got that far, else the inspected one. */
export function decodedOf(model) {
  return model.report?.payload !== undefined ? model.report : model.inspected;
}
