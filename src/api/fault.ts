/**
 * Every refusal leaves as a SOAP fault in the request's SOAP version whose detail is the
 * contract's tns:IpcdFault: a stable code and a sentence. SOAP 1.1: HTTP 500 (WS-I BP R1126).
 * SOAP 1.2: env:Code env:Sender or env:Receiver, HTTP 400 or 500 (Part 2 §7.5.2.2, table 20).
 */
import { IpcdError, type FaultCode } from '../logic/core/errors';
import { SOAP11_NS, SOAP12_NS, xmlEscape } from './contract';
import type { SoapVersion, VersionMismatch } from './soap-version';

/**
 * Codes of the server's own making (soap:Server); every other code is caused by the request
 * (soap:Client), so a new refusal is a client fault unless it is listed here.
 */
const SERVER_CODES = new Set<FaultCode>(['NAME_EXHAUSTED', 'BUSY', 'UNAVAILABLE', 'INTERNAL']);

export interface FaultInfo {
  code: FaultCode;
  message: string;
}

/** Anything thrown below the API becomes a fault; unexpected errors never leak their text. */
export function faultInfo(e: unknown): FaultInfo {
  if (e instanceof IpcdError) return { code: e.code, message: e.message };
  return { code: 'INTERNAL', message: 'ipcd failed to process the request; the error is logged with the request id' };
}

export function faultcode(code: FaultCode): string {
  if (code === 'MUST_UNDERSTAND') return 'soap:MustUnderstand';
  return SERVER_CODES.has(code) ? 'soap:Server' : 'soap:Client';
}

/** SOAP 1.2's env:Code/env:Value for a contract code. */
function faultValue12(code: FaultCode): string {
  if (code === 'MUST_UNDERSTAND') return 'env:MustUnderstand';
  return SERVER_CODES.has(code) ? 'env:Receiver' : 'env:Sender';
}

/** The HTTP status of a fault: always 500 in SOAP 1.1; SOAP 1.2 answers a Sender fault with 400. */
export function faultStatus(code: FaultCode, version: SoapVersion = '1.1'): number {
  return version === '1.2' && faultValue12(code) === 'env:Sender' ? 400 : 500;
}

const detail = (f: FaultInfo, ns: string) =>
  `<ipcd:IpcdFault xmlns:ipcd="${ns}"><ipcd:code>${f.code}</ipcd:code><ipcd:message>${xmlEscape(f.message)}</ipcd:message></ipcd:IpcdFault>`;

/** A complete fault envelope, for refusals made before node-soap sees the request; ns: the service's namespace. */
export function faultEnvelope(f: FaultInfo, ns: string, version: SoapVersion = '1.1'): string {
  if (version === '1.2') {
    return (
      `<?xml version="1.0" encoding="utf-8"?>` +
      `<env:Envelope xmlns:env="${SOAP12_NS}"><env:Body><env:Fault>` +
      `<env:Code><env:Value>${faultValue12(f.code)}</env:Value></env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${xmlEscape(f.message)}</env:Text></env:Reason>` +
      `<env:Detail>${detail(f, ns)}</env:Detail>` +
      `</env:Fault></env:Body></env:Envelope>`
    );
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><soap:Fault>` +
    `<faultcode>${faultcode(f.code)}</faultcode>` +
    `<faultstring>${xmlEscape(f.message)}</faultstring>` +
    `<detail>${detail(f, ns)}</detail>` +
    `</soap:Fault></soap:Body></soap:Envelope>`
  );
}

/**
 * The VersionMismatch fault (HTTP 500 in both versions), in the version the client's media type
 * names, with the env:Upgrade header block listing the envelopes ipcd reads, SOAP 1.2 first
 * (SOAP 1.2 Part 1 §5.4.7, and appendix A for the SOAP 1.1 form). No tns:IpcdFault: the message
 * was not read, and the contract's codes stay as they are.
 */
export function versionMismatchEnvelope(e: VersionMismatch, version: SoapVersion): string {
  // In a SOAP 1.1 reply the block declares SOAP 1.2's namespace itself.
  const p = version === '1.2' ? 'env' : 'env12';
  const upgrade =
    `<${p}:Upgrade${version === '1.2' ? '' : ` xmlns:${p}="${SOAP12_NS}"`}>` +
    `<${p}:SupportedEnvelope qname="v12:Envelope" xmlns:v12="${SOAP12_NS}"/>` +
    `<${p}:SupportedEnvelope qname="v11:Envelope" xmlns:v11="${SOAP11_NS}"/></${p}:Upgrade>`;
  if (version === '1.2') {
    return (
      `<?xml version="1.0" encoding="utf-8"?>` +
      `<env:Envelope xmlns:env="${SOAP12_NS}"><env:Header>${upgrade}</env:Header>` +
      `<env:Body><env:Fault><env:Code><env:Value>env:VersionMismatch</env:Value></env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${xmlEscape(e.message)}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`
    );
  }
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Header>${upgrade}</soap:Header><soap:Body><soap:Fault>` +
    `<faultcode>soap:VersionMismatch</faultcode><faultstring>${xmlEscape(e.message)}</faultstring>` +
    `</soap:Fault></soap:Body></soap:Envelope>`
  );
}
