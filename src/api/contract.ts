/** Facts of the WSDL contract the transport needs; the WSDL file itself is the source of truth. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WSDL_DIR } from '../paths';

export const NS = 'http://ipcd.example.org/ns/commissioning/v1';
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const OPERATIONS = ['CommissionIP', 'DecommissionIP', 'NameOnly', 'ListAllocations'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const WSDL_PATH = join(WSDL_DIR, 'ipcd.wsdl');

const wsdlCache = new Map<string, string>();
/** The WSDL text, with the endpoint address rewritten to where it is being served from. */
export function wsdlFor(location: string): string {
  let text = wsdlCache.get('');
  if (text === undefined) {
    text = readFileSync(WSDL_PATH, 'utf8');
    wsdlCache.set('', text);
  }
  return text.replace(/<soap:address location="[^"]*"\/>/, `<soap:address location="${xmlEscape(location)}"/>`);
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
