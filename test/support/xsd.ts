/**
 * libxml2's xmllint for the contract tests: run it, cut the SOAP Body payload (or a fault's
 * IpcdFault) out of an envelope as a standalone document, and extract a WSDL's embedded schema.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { SaxesParser } from 'saxes';
import { NS } from './soap';

export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SCHEMA_XPATH = "/*[local-name()='definitions']/*[local-name()='types']/*[local-name()='schema']";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function xmllint(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('xmllint', args, { timeout: 30_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      resolve({
        code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
        stdout: String(stdout),
        stderr: String(stderr),
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// A namespace-preserving parse, so one element can be cut out of an envelope as a standalone
// document: the cut element re-declares every namespace binding in scope where it stood.

export interface Element {
  qname: string;
  local: string;
  uri: string;
  attributes: [string, string][]; // as written, xmlns declarations included
  inScope: Map<string, string>; // prefix ('' = default) -> URI, at this element
  children: (Element | string)[];
}

export function parseTree(xml: string): Element {
  const parser = new SaxesParser({ xmlns: true });
  const stack: Element[] = [];
  let root: Element | undefined;
  parser.on('opentag', (tag) => {
    const inScope = new Map(stack.length ? stack[stack.length - 1].inScope : []);
    for (const prefix of Object.keys(tag.ns)) inScope.set(prefix, tag.ns[prefix]);
    const el: Element = {
      qname: tag.name,
      local: tag.local,
      uri: tag.uri,
      attributes: Object.values(tag.attributes).map((a) => [a.name, a.value]),
      inScope,
      children: [],
    };
    if (stack.length) stack[stack.length - 1].children.push(el);
    else root = el;
    stack.push(el);
  });
  const text = (t: string) => {
    if (stack.length) stack[stack.length - 1].children.push(t);
  };
  parser.on('text', text);
  parser.on('cdata', text);
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  if (!root) throw new Error('empty XML');
  return root;
}

const escText = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
const escAttr = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const isNsDecl = (name: string) => name === 'xmlns' || name.startsWith('xmlns:');

export function serialize(el: Element, standalone: boolean): string {
  const attrs: string[] = [];
  if (standalone) {
    for (const [prefix, uri] of el.inScope) {
      if (prefix === 'xml' || prefix === 'xmlns' || (prefix === '' && uri === '')) continue;
      attrs.push(`${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${escAttr(uri)}"`);
    }
  }
  for (const [name, value] of el.attributes) {
    if (standalone && isNsDecl(name)) continue; // already declared above
    attrs.push(`${name}="${escAttr(value)}"`);
  }
  const start = [el.qname, ...attrs].join(' ');
  const inner = el.children.map((c) => (typeof c === 'string' ? escText(c) : serialize(c, false))).join('');
  return inner === '' ? `<${start}/>` : `<${start}>${inner}</${el.qname}>`;
}

export const elementChildren = (el: Element) => el.children.filter((c): c is Element => typeof c !== 'string');

/** Follows {uri}local steps from the root ('*' = the first child element), or throws. */
export function find(root: Element, steps: [string, string][]): Element {
  let at = root;
  const [first, ...rest] = steps;
  if (at.uri !== first[0] || at.local !== first[1])
    throw new Error(`root is {${at.uri}}${at.local}, expected {${first[0]}}${first[1]}`);
  for (const [uri, local] of rest) {
    const next = elementChildren(at).find((c) => local === '*' || (c.uri === uri && c.local === local));
    if (!next) throw new Error(`no {${uri}}${local} under {${at.uri}}${at.local}`);
    at = next;
  }
  return at;
}

/** The Body's child element (or, for a fault, detail's IpcdFault in ns) as a standalone XML document. */
export function payload(envelopeXml: string, fault = false, ns = NS): string {
  const body: [string, string][] = [
    [SOAP_ENV, 'Envelope'],
    [SOAP_ENV, 'Body'],
  ];
  const steps: [string, string][] = fault
    ? [...body, [SOAP_ENV, 'Fault'], ['', 'detail'], [ns, 'IpcdFault']]
    : [...body, ['', '*']];
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(find(parseTree(envelopeXml), steps), true)}\n`;
}

/** Writes the WSDL's embedded xsd:schema to xsdFile as a standalone XSD. */
export async function extractSchema(wsdlFile: string, xsdFile: string): Promise<void> {
  const extracted = await xmllint(['--xpath', SCHEMA_XPATH, wsdlFile]);
  if (extracted.code !== 0) throw new Error(`xmllint --xpath failed (${extracted.code}): ${extracted.stderr}`);
  writeFileSync(xsdFile, `<?xml version="1.0" encoding="UTF-8"?>\n${extracted.stdout}\n`);
}
