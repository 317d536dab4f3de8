// Helpers every LWC unit test here uses: settle promise chains, and find what a rep sees
// inside a component — through the shadow roots of its child components too, the way a
// person reads the screen without knowing which component drew what.

type WithShadow = Element & { shadowRoot: ShadowRoot | null };

/** Settles promise chains; the real setImmediate also works while jest fakes timers. */
export const flushPromises = (): Promise<void> =>
  new Promise<void>((resolve) => {
    (jest.requireActual('timers') as typeof import('timers')).setImmediate(resolve);
  });

/** Every element matching `selector` in the shadow tree of `host`, child components included. */
export function findAll<T extends Element = HTMLElement>(host: Element, selector: string): T[] {
  const root = (host as WithShadow).shadowRoot;
  if (!root) return [];
  const found: T[] = [];
  for (const element of Array.from(root.querySelectorAll('*'))) {
    if (element.matches(selector)) found.push(element as T);
    found.push(...findAll<T>(element, selector));
  }
  return found;
}

/** The first element matching `selector`, in document order, or null. */
export function find<T extends Element = HTMLElement>(host: Element, selector: string): T | null {
  return findAll<T>(host, selector)[0] ?? null;
}

/** The text of a node as rendered: a child component contributes what its shadow tree shows. */
function renderedText(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
  const root = (node as WithShadow).shadowRoot;
  const children = Array.from((root ?? node).childNodes);
  return children.map(renderedText).join('');
}

/** The text a rep reads in the first match, whitespace collapsed ('' when there is none). */
export function textOf(host: Element, selector: string): string {
  const element = find(host, selector);
  return element ? renderedText(element).replace(/\s+/g, ' ').trim() : '';
}

/** Removes every mounted component; afterEach of every test. */
export function resetDom(): void {
  while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
}
