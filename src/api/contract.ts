/**
 * Facts of the WSDL contracts the transport needs. Each WSDL file is the source of truth: its
 * types, messages and portType come from the contract generated from it (src/contract), so a
 * handler without an operation (or the reverse) is caught at start-up rather than by a caller; the
 * service and port node-soap keys its handlers by are read from the file itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { commissioning, management, type ContractModel } from '../contract';
import { WSDL_DIR } from '../paths';

export { SOAP11_NS, SOAP12_NS } from '../contract';
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';

export interface Contract {
  /** The target namespace: operations, parameters and tns:IpcdFault live in it. */
  ns: string;
  /** HTTP path of the endpoint; the WSDL is served at `${endpoint}?wsdl`. */
  endpoint: string;
  wsdlFile: string;
  /** The generated contract: element order and types, enumerations, defaults. */
  model: ContractModel;
  /** wsdl:service and wsdl:port names (node-soap's handler object is keyed by them). */
  service: string;
  port: string;
  /** The portType's operations, in the WSDL's order. */
  operations: readonly string[];
}

function contract(file: string, endpoint: string, model: ContractModel): Contract {
  const wsdlFile = join(WSDL_DIR, file);
  return {
    ...serviceOf(readFileSync(wsdlFile, 'utf8'), wsdlFile),
    ns: model.ns,
    endpoint,
    wsdlFile,
    model,
    operations: Object.keys(model.operations),
  };
}

/** The first service and its first port (bindings are not the generated contract's). */
function serviceOf(text: string, file: string): { service: string; port: string } {
  const parser = new SaxesParser({ xmlns: true });
  const path: string[] = [];
  let service = '';
  let port = '';
  parser.on('opentag', (t) => {
    const here = t.uri === WSDL_NS ? (t.local ?? '') : '';
    const name = t.attributes.name;
    const attr = typeof name === 'string' ? name : (name?.value ?? '');
    if (here === 'service' && path.length === 1 && !service) service = attr;
    if (here === 'port' && path[path.length - 1] === 'service' && !port) port = attr;
    path.push(here);
  });
  parser.on('closetag', () => void path.pop());
  parser.write(text).close();
  if (!service || !port) throw new Error(`${file} lacks a service or port`);
  return { service, port };
}

/** The commissioning service: what orchestrators call. */
export const COMMISSIONING = contract('ipcd.wsdl', '/ipcd', commissioning.CONTRACT);
/** The management service: topology, networks, reservations, search, audit, metering, users. */
export const MANAGEMENT = contract('ipcd-admin.wsdl', '/ipcd-admin', management.CONTRACT);
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
  return text.replace(
    /<(soap(?:12)?):address location="[^"]*"\/>/g,
    (_m, p: string) => `<${p}:address location="${xmlEscape(location)}"/>`,
  );
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
