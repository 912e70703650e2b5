/**
 * The client's wire format: document/literal SOAP 1.1 envelopes built as text (every value
 * escaped), an optional WS-Security UsernameToken header, and replies read with saxes into a small
 * element tree. The contract's element order and types come from src/contract (codec.ts applies
 * them). One wire format for both services; only the namespace differs.
 */
import { randomBytes } from 'node:crypto';
import { SaxesParser } from 'saxes';
import { commissioning, management, SOAP11_NS, WSSE_NS, WSU_NS } from '../contract';

export { SOAP11_NS, WSSE_NS, WSU_NS };
/** The commissioning contract's namespace (wsdl/ipcd.wsdl). */
export const NS = commissioning.NS;
/** The management contract's namespace (wsdl/ipcd-admin.wsdl). */
export const MANAGEMENT_NS = management.NS;
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
const BASE64_BINARY = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/** Characters XML 1.0 cannot carry at all, not even as character references (lone surrogates too). */
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Element text: & and < always, > so that "]]>" cannot appear, and CR as a reference because a
 * parser turns a literal CR (and CRLF) into LF. Refuses what XML cannot carry instead of sending it.
 */
export function xmlText(value: string, field = 'value'): string {
  const bad = NOT_XML.exec(value);
  if (bad) {
    const cp = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new RangeError(`${field} contains U+${cp}, which XML 1.0 cannot carry`);
  }
  return value.replace(/[&<>\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' })[c]!);
}

/** Attribute values we write are constants or base64/ISO text, but escape them anyway. */
const xmlAttr = (value: string) => xmlText(value).replace(/"/g, '&quot;');

export interface Credentials {
  username: string;
  password: string;
}

/**
 * wsse:Security with a UsernameToken, password in clear text (#PasswordText, so only over HTTPS
 * or a trusted network), a fresh Nonce and wsu:Created on every message. mustUnderstand="1": a
 * server that does not process it must refuse the message rather than ignore the credentials.
 */
export function securityHeader(c: Credentials, now = new Date()): string {
  return (
    `<wsse:Security xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}" soapenv:mustUnderstand="1">` +
    `<wsse:UsernameToken wsu:Id="UsernameToken-${randomBytes(8).toString('hex')}">` +
    `<wsse:Username>${xmlText(c.username, 'username')}</wsse:Username>` +
    `<wsse:Password Type="${xmlAttr(PASSWORD_TEXT)}">${xmlText(c.password, 'password')}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${xmlAttr(BASE64_BINARY)}">${randomBytes(16).toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${now.toISOString()}</wsu:Created>` +
    `</wsse:UsernameToken></wsse:Security>`
  );
}

/** The request: the operation's wrapper element (in namespace `ns`) holding `inner`, its elements with the prefix ipcd. */
export function envelope(operation: string, inner: string, security?: string, ns = NS): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}" xmlns:ipcd="${xmlAttr(ns)}">` +
    (security ? `<soapenv:Header>${security}</soapenv:Header>` : '') +
    `<soapenv:Body><ipcd:${operation}>${inner}</ipcd:${operation}></soapenv:Body></soapenv:Envelope>`
  );
}

export interface XmlNode {
  /** Local name. */
  name: string;
  uri: string;
  text: string;
  children: XmlNode[];
}

/** A reply as an element tree; throws (a plain Error) on anything that is not well-formed XML. */
export function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  parser.on('doctype', () => {
    throw new Error('the reply contains a document type declaration');
  });
  parser.on('opentag', (t) => {
    const node: XmlNode = { name: t.local ?? t.name, uri: t.uri ?? '', text: '', children: [] };
    if (stack.length) stack[stack.length - 1].children.push(node);
    else root = node;
    stack.push(node);
  });
  const text = (t: string) => {
    if (stack.length) stack[stack.length - 1].text += t;
  };
  parser.on('text', text);
  parser.on('cdata', text);
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  if (!root) throw new Error('the reply holds no element');
  return root;
}

/** The Body's one child element of a SOAP 1.1 envelope, or undefined when it is no such envelope. */
export function bodyElement(root: XmlNode): XmlNode | undefined {
  if (root.name !== 'Envelope' || root.uri !== SOAP11_NS) return undefined;
  return root.children.find((c) => c.name === 'Body' && c.uri === SOAP11_NS)?.children[0];
}

/** Child elements by local name. Unqualified children are accepted as well as the contract's. */
export const childrenNamed = (node: XmlNode, name: string, ns = NS) =>
  node.children.filter((c) => c.name === name && (c.uri === ns || c.uri === ''));

export interface SoapFault {
  faultcode: string;
  faultstring: string;
  /** tns:IpcdFault from the detail, when the fault is one of the contract's. */
  ipcd?: { code: string; message: string };
}

/** A SOAP 1.1 Fault element's content (its children are unqualified, per SOAP 1.1); tns:IpcdFault in `ns`. */
export function readFault(fault: XmlNode, ns = NS): SoapFault {
  const child = (n: XmlNode | undefined, name: string) => n?.children.find((c) => c.name === name);
  const detail = child(fault, 'detail');
  const info = detail?.children.find((c) => c.name === 'IpcdFault' && c.uri === ns);
  const code = info?.children.find((c) => c.name === 'code' && c.uri === ns)?.text.trim();
  const message = info?.children.find((c) => c.name === 'message' && c.uri === ns)?.text;
  return {
    faultcode: child(fault, 'faultcode')?.text.trim() ?? '',
    faultstring: child(fault, 'faultstring')?.text ?? '',
    ipcd: code ? { code, message: message ?? child(fault, 'faultstring')?.text ?? '' } : undefined,
  };
}
