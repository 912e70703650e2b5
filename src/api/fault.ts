/**
 * Every refusal leaves as a SOAP 1.1 fault (HTTP 500, WS-I BP R1126) whose detail is the
 * contract's tns:IpcdFault: a stable code and a sentence.
 */
import { IpcdError, type FaultCode } from '../logic/errors';
import { SOAP11_NS, xmlEscape } from './contract';

/** Codes caused by the request itself; the rest are the server's (soap:Server). */
const CLIENT_CODES = new Set<FaultCode>([
  'INVALID_REQUEST',
  'UNKNOWN_DATA_CENTER',
  'UNKNOWN_VLAN',
  'AMBIGUOUS_VLAN',
  'NO_FREE_ADDRESS',
  'NO_ZONE',
  'NOT_FOUND',
  'CONFLICT',
  'NETWORK_IN_USE',
  'SPLIT_REFUSED',
  'MERGE_REFUSED',
  'UNSUPPORTED_OPERATION',
  'REQUEST_TOO_LARGE',
  'AUTHENTICATION_FAILED',
  'ACCESS_DENIED',
]);

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
  return CLIENT_CODES.has(code) ? 'soap:Client' : 'soap:Server';
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
