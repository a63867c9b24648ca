// The few DOM helpers the page needs. Every value from a delivery goes through textContent or
// an attribute: nothing received is ever parsed as markup.

const SVG_NS = "http://www.w3.org/2000/svg";

/** The element with this id; the page's markup has every id the modules use. */
export function byId<T extends Element = HTMLElement>(id: string): T {
  const node: Element | null = document.getElementById(id);
  if (node === null) throw new Error(`The inspector page has no #${id}.`);
  return node as T;
}

/** A new element with a class and a text (never markup). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string | number,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== undefined) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/** A new SVG element with these attributes. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** Removes every child. */
export function clear(node: Element): void {
  node.replaceChildren();
}
