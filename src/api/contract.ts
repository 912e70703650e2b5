/**
 * Facts of the WSDL contracts the transport needs. Each WSDL file is the source of truth: the
 * operations a service offers are read from its portType, so a handler without an operation (or
 * the reverse) is caught at start-up rather than by a caller.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { WSDL_DIR } from '../paths';

export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

export interface Contract {
  /** The target namespace: operations, parameters and tns:IpcdFault live in it. */
  ns: string;
  /** HTTP path of the endpoint; the WSDL is served at `${endpoint}?wsdl`. */
  endpoint: string;
  wsdlFile: string;
  /** wsdl:service and wsdl:port names (node-soap's handler object is keyed by them). */
  service: string;
  port: string;
  /** The portType's operations, in the WSDL's order. */
  operations: readonly string[];
  /**
   * Per operation, the schema defaults of its request's elements: an empty element that has one
   * means its default (XML Schema), one without is the empty string.
   */
  defaults: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

function contract(file: string, endpoint: string): Contract {
  const wsdlFile = join(WSDL_DIR, file);
  const facts = readFacts(readFileSync(wsdlFile, 'utf8'), wsdlFile);
  return { ...facts, endpoint, wsdlFile };
}

/** targetNamespace, the first service and port, and the portType's operation names. */
function readFacts(text: string, file: string): Omit<Contract, 'endpoint' | 'wsdlFile'> {
  const parser = new SaxesParser({ xmlns: true });
  const path: string[] = [];
  let ns = '';
  let service = '';
  let port = '';
  const operations: string[] = [];
  const defaults: Record<string, Record<string, string>> = {};
  let global = ''; // the global xsd:element being read
  parser.on('opentag', (t) => {
    const here = t.uri === WSDL_NS ? (t.local ?? '') : t.uri === XSD_NS ? `xsd:${t.local}` : '';
    const attr = (n: string) => {
      const a = t.attributes[n];
      return typeof a === 'string' ? a : (a?.value ?? '');
    };
    if (here === 'xsd:element') {
      const top = path[path.length - 1] === 'xsd:schema';
      if (!top && attr('default') !== '' && path.slice(-3).join(' ') === 'xsd:element xsd:complexType xsd:sequence') {
        (defaults[global] ??= {})[attr('name')] = attr('default');
      }
      if (top) global = attr('name');
    }
    if (path.length === 0) ns = attr('targetNamespace');
    if (here === 'operation' && path[path.length - 1] === 'portType') operations.push(attr('name'));
    if (here === 'service' && !service) service = attr('name');
    if (here === 'port' && path[path.length - 1] === 'service' && !port) port = attr('name');
    path.push(here);
  });
  parser.on('closetag', () => void path.pop());
  parser.write(text).close();
  if (!ns || !service || !port || operations.length === 0) throw new Error(`${file} lacks a targetNamespace, service, port or operation`);
  return { ns, service, port, operations, defaults: Object.fromEntries(operations.map((op) => [op, defaults[op] ?? {}])) };
}

/** The commissioning service: what orchestrators call. */
export const COMMISSIONING = contract('ipcd.wsdl', '/ipcd');
/** The management service: topology, networks, reservations, search, audit, metering, users. */
export const MANAGEMENT = contract('ipcd-admin.wsdl', '/ipcd-admin');
export const CONTRACTS = [COMMISSIONING, MANAGEMENT] as const;

/** The commissioning namespace (the client library and older callers name it directly). */
export const NS = COMMISSIONING.ns;

const wsdlCache = new Map<string, string>();
/** The WSDL text, with the endpoint address rewritten to where it is being served from. */
export function wsdlFor(c: Contract, location: string): string {
  let text = wsdlCache.get(c.wsdlFile);
  if (text === undefined) {
    text = readFileSync(c.wsdlFile, 'utf8');
    wsdlCache.set(c.wsdlFile, text);
  }
  // Every port (SOAP 1.1 and 1.2) is served at the same address.
  return text.replace(/<(soap(?:12)?):address location="[^"]*"\/>/g, (_m, p: string) => `<${p}:address location="${xmlEscape(location)}"/>`);
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
