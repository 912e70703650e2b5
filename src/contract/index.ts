/**
 * The contract, written once: src/contract/generated holds what scripts/gen-contract.ts reads from
 * wsdl/*.wsdl at build time (types, element order, enumerations, fault codes); this adds the SOAP
 * and WS-Security namespaces both sides speak. The server (src/api) and the client (src/client)
 * import it; the logic does not (its own fault codes are checked against these in src/api).
 */
import * as commissioning from './generated/commissioning';
import * as management from './generated/management';

export { commissioning, management };
export * from './model';

export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';

/** true when A and B are the same set of values. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only when T is true: a check made by the type checker. */
export type Assert<T extends true> = T;

/** tns:FaultCode: both WSDLs declare the same codes (the build fails otherwise). */
export type FaultCode = commissioning.FaultCode;
export const FAULT_CODES = commissioning.FaultCode;
export type FaultCodesAgree = Assert<Same<commissioning.FaultCode, management.FaultCode>>;
