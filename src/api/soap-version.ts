/**
 * SOAP 1.1 and SOAP 1.2 on one endpoint: the envelope's namespace says which version a request
 * speaks and its reply speaks the same (as Axis2, CXF and ASMX do). Before the envelope is read
 * (an empty or unreadable body, a body over the size limit) the media type decides:
 * application/soap+xml is SOAP 1.2's HTTP binding, anything else is answered as SOAP 1.1.
 */
import { SOAP11_NS, SOAP12_NS } from './contract';

export type SoapVersion = '1.1' | '1.2';

export const ENVELOPE_NS: Record<SoapVersion, string> = { '1.1': SOAP11_NS, '1.2': SOAP12_NS };

/** The reply's Content-Type (SOAP 1.2 Part 2 §7.1.4: application/soap+xml). */
export const MEDIA_TYPE: Record<SoapVersion, string> = {
  '1.1': 'text/xml; charset=utf-8',
  '1.2': 'application/soap+xml; charset=utf-8',
};

/** The version a Content-Type asks for, when the envelope cannot tell. */
export function versionOfMedia(contentType: string | undefined): SoapVersion {
  return /^\s*application\/soap\+xml\s*(;|$)/i.test(contentType ?? '') ? '1.2' : '1.1';
}

/** SOAP 1.2's action: the `action` parameter of application/soap+xml (Part 2 §A: it replaces SOAPAction). */
export function actionOf(contentType: string | undefined): string | undefined {
  if (versionOfMedia(contentType) !== '1.2') return undefined;
  const m = /;\s*action\s*=\s*("([^"]*)"|[^;\s]*)/i.exec(contentType ?? '');
  return m ? (m[2] ?? m[1]) : undefined;
}

/**
 * An Envelope in a namespace that is neither version's (SOAP 1.1 §4.4.1, SOAP 1.2 Part 1 §5.4.7):
 * answered with a VersionMismatch fault, not a contract fault, since the message was not read.
 */
export class VersionMismatch extends Error {
  constructor(readonly found: string) {
    super(
      `the SOAP envelope's namespace '${found}' is neither SOAP 1.1's (${SOAP11_NS}) nor SOAP 1.2's (${SOAP12_NS})`,
    );
    this.name = 'VersionMismatch';
  }
}

/** What the guard learned about the envelope, kept when it refuses the request. */
export interface EnvelopeSeen {
  version?: SoapVersion;
}
