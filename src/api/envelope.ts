/**
 * The commissioning service's replies, written without node-soap: its responses are flat records
 * and lists of them, so the handler's object is the element tree and needs no schema walk.
 */
import { xmlEscape } from './contract';
import { ENVELOPE_NS, type SoapVersion } from './soap-version';

/**
 * The envelope (SOAP 1.1 or 1.2, as the request's) answering `operation` with `body` as its {ns}operationResponse: key order
 * is element order, an array is the element repeated, an object nests elements, null and
 * undefined are left out (the handlers drop absent optional elements that way).
 */
export function responseEnvelope(operation: string, body: object, ns: string, version: SoapVersion = '1.1'): string {
  const p = version === '1.2' ? 'env' : 'soap';
  return (
    `<?xml version="1.0" encoding="utf-8"?><${p}:Envelope xmlns:${p}="${ENVELOPE_NS[version]}"><${p}:Body>` +
    `<${operation}Response xmlns="${xmlEscape(ns)}">${elements(body)}</${operation}Response></${p}:Body></${p}:Envelope>`
  );
}

function elements(o: object): string {
  let out = '';
  for (const [name, value] of Object.entries(o)) out += element(name, value);
  return out;
}

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (typeof value === 'object') return `<${name}>${elements(value)}</${name}>`;
  if (typeof value === 'string') return `<${name}>${text(value)}</${name}>`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `<${name}>${String(value)}</${name}>`;
  throw new Error(`cannot write ${typeof value} as the element ${name}`);
}

/** Escaped, with tab, CR and LF as character references: a parser would normalise them as written. */
const text = (s: string) =>
  xmlEscape(s).replace(/[\t\r\n]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
