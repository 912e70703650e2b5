/** DOM parsing (@xmldom/xmldom) and XPath 1.0 (xpath) for tests that read XML the way other toolkits do. */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';

// Loaded without its typings: they reference the DOM lib, which would retype fetch() for every test.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const xpath: { useNamespaces(ns: Record<string, string>): (expr: string, node: unknown) => unknown } = require('xpath');

export type { Document, Element, Node };

/** A document; anything not well-formed throws. */
export function parseXml(text: string): Document {
  const doc = new DOMParser({
    onError: (level: string, message: string) => {
      if (level !== 'warning') throw new Error(`not well-formed XML: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
  if (!doc.documentElement) throw new Error('no document element');
  return doc;
}

/** An XPath 1.0 expression with the given prefixes: the nodes it selects, or its string/number/boolean value. */
export function select(
  expr: string,
  node: Document | Node,
  ns: Record<string, string> = {},
): Node[] | string | number | boolean {
  return xpath.useNamespaces(ns)(expr, node) as Node[] | string | number | boolean;
}

/** The nodes an expression selects (an expression of another type is a mistake in the test). */
export function nodes(expr: string, node: Document | Node, ns: Record<string, string> = {}): Element[] {
  const r = select(expr, node, ns);
  if (!Array.isArray(r)) throw new Error(`'${expr}' does not select nodes`);
  return r as Element[];
}
