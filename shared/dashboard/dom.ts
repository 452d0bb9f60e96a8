/**
 * A tiny element builder for the dashboard page (no framework): `h('td', { class: 'x' }, 'text', child)`.
 * Text is always set as text, never parsed as HTML.
 */

/** Attributes: strings are set as attributes, functions as event listeners (`onclick`), false/undefined skipped. */
export type Attrs = Record<string, string | number | boolean | undefined | ((ev: Event) => void)>;

/** A child: a node, text, or nothing. */
export type Child = Node | string | number | undefined | null | false;

function apply(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

/** An HTML element with attributes and children. */
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  apply(el, attrs);
  for (const c of children) if (c !== undefined && c !== null && c !== false) el.append(c as Node | string);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children. */
export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  apply(el, attrs);
  for (const c of children) if (c !== undefined && c !== null && c !== false) el.append(c as Node | string);
  return el;
}

/** Replaces the children of `el`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(
    ...(children.filter((c) => c !== undefined && c !== null && c !== false) as (Node | string)[]),
  );
}

/** `3m 12s` for a number of seconds. */
export function age(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const m = Math.floor(seconds / 60);
  const h = Math.floor(m / 60);
  if (h > 0) return `${h}h ${m % 60}m`;
  return m > 0 ? `${m}m ${Math.floor(seconds % 60)}s` : `${Math.floor(seconds)}s`;
}
