// Helpers every LWC unit test here uses: mount a component with its @api properties, hear the
// events it sends up, settle promise chains, and find what a rep sees inside a component —
// through the shadow roots of its child components too, the way a person reads the screen
// without knowing which component drew what.
import { createElement, type LightningElement } from 'lwc';

type WithShadow = Element & { shadowRoot: ShadowRoot | null };

/** Settles promise chains; the real setImmediate also works while jest fakes timers. */
export const flushPromises = (): Promise<void> =>
  new Promise<void>((resolve) => {
    (jest.requireActual('timers') as typeof import('timers')).setImmediate(resolve);
  });

function collect<T extends Element>(root: ParentNode, selector: string, found: T[]): void {
  for (const element of Array.from(root.querySelectorAll('*'))) {
    if (element.matches(selector)) found.push(element as T);
    const shadow = (element as WithShadow).shadowRoot;
    if (shadow) collect(shadow, selector, found);
  }
}

/**
 * Every element matching `selector` below `host` — in its shadow tree when it is a component —
 * and in the shadow trees of the child components there, in document order.
 */
export function findAll<T extends Element = HTMLElement>(host: Element, selector: string): T[] {
  const found: T[] = [];
  collect((host as WithShadow).shadowRoot ?? host, selector, found);
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

/** afterEach of every component test: an empty page and fresh mocks. */
export function cleanUp(): void {
  resetDom();
  jest.clearAllMocks();
}

/** Creates the component `tag`, sets its @api properties and puts it on the page. */
export function mount(
  tag: string,
  is: typeof LightningElement,
  props: object = {},
): HTMLElement & { shadowRoot: ShadowRoot } {
  const element = createElement(tag, { is }) as HTMLElement & { shadowRoot: ShadowRoot };
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

/** Collects `{name: detail}` of every event of these names the element sends up, in order. */
export function listen(element: HTMLElement, ...names: string[]): unknown[] {
  const heard: unknown[] = [];
  for (const name of names)
    element.addEventListener(name, (event) => {
      heard.push({ [name]: (event as CustomEvent<unknown>).detail });
    });
  return heard;
}
