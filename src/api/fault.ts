/**
 * Every refusal leaves as a SOAP 1.1 fault (HTTP 500, WS-I BP R1126) whose detail is the
 * contract's tns:IpcdFault: a stable code and a sentence.
 */
import { IpcdError, type FaultCode } from '../logic/core/errors';
import { SOAP11_NS, xmlEscape } from './contract';

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

/** A complete fault envelope, for refusals made before node-soap sees the request; ns: the service's namespace. */
export function faultEnvelope(f: FaultInfo, ns: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><soap:Fault>` +
    `<faultcode>${faultcode(f.code)}</faultcode>` +
    `<faultstring>${xmlEscape(f.message)}</faultstring>` +
    `<detail><ipcd:IpcdFault xmlns:ipcd="${ns}"><ipcd:code>${f.code}</ipcd:code>` +
    `<ipcd:message>${xmlEscape(f.message)}</ipcd:message></ipcd:IpcdFault></detail>` +
    `</soap:Fault></soap:Body></soap:Envelope>`
  );
}
