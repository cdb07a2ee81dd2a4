// Small DOM helpers shared by the inspector page and the DevTools panel. Text is always inserted as
// text, never as HTML: tokens, claims and JWK Sets are untrusted input.

/** Creates an element; children are nodes or strings (always inserted as text, never as HTML). */
export function h(tag, attrs = {}, ...children) {
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

/** What the last draw put in each element, so a once-a-second refresh touches only what changed. */
const drawn = new WeakMap();

/** Replaces an element's content only when what it shows (summarised by `key`) changed. */
export function draw(el, key, build) {
  if (drawn.get(el) === key) return;
  drawn.set(el, key);
  el.replaceChildren(...[build()].flat().filter(Boolean));
}

export function show(el, visible) {
  el.hidden = !visible;
}

/** The text a list of nodes and strings reads as. */
export function textOf(parts) {
  return parts.map((part) => (part instanceof Node ? part.textContent : String(part ?? ''))).join('');
}
