/**
 * Checks every POST before node-soap parses it: size, no DTD (so no external entities and no
 * entity expansion, WS-I BP R1008), well-formed, a SOAP 1.1 envelope, a known operation whose
 * SOAPAction (if given) agrees with the body. A refusal here is a contract fault, never a stack
 * trace, and nothing below is reached.
 */
import { SaxesParser } from 'saxes';
import { IpcdError, invalid } from '../logic/errors';
import { NS, OPERATIONS, SOAP11_NS, SOAP12_NS, type Operation } from './contract';

export interface Inspected {
  operation: Operation;
}

export function inspectEnvelope(xml: string, soapAction: string | undefined): Inspected {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw invalid('a SOAP message must not contain a document type declaration (DTD) or entity declarations');
  }
  const path: { uri: string; local: string }[] = [];
  let operation: { uri: string; local: string } | undefined;
  let sawEnvelope = false;
  const parser = new SaxesParser({ xmlns: true, position: true });
  parser.on('opentag', (tag) => {
    const here = { uri: tag.uri ?? '', local: tag.local ?? tag.name };
    if (path.length === 0) {
      if (here.local !== 'Envelope' || (here.uri !== SOAP11_NS && here.uri !== SOAP12_NS)) {
        throw invalid(`the document is not a SOAP envelope (its root element is {${here.uri}}${here.local})`);
      }
      if (here.uri === SOAP12_NS) throw invalid('SOAP 1.2 envelopes are not supported: send a SOAP 1.1 envelope');
      sawEnvelope = true;
    } else if (path.length === 2 && path[1].local === 'Body' && path[1].uri === SOAP11_NS && !operation) {
      operation = here;
    }
    path.push(here); // saxes sends closetag for self-closing tags too
  });
  parser.on('closetag', () => {
    path.pop();
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    if (e instanceof IpcdError) throw e;
    throw invalid(`the request is not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!sawEnvelope) throw invalid('the request body is empty or not XML');
  if (!operation) throw invalid('the SOAP Body names no operation');
  const known = OPERATIONS.find((o) => o === operation!.local);
  if (operation.uri !== NS || !known) {
    throw new IpcdError(
      'UNSUPPORTED_OPERATION',
      `ipcd does not offer the operation {${operation.uri}}${operation.local}; it offers ${OPERATIONS.join(', ')} in ${NS}`,
    );
  }
  const action = soapAction?.replace(/^"|"$/g, '');
  if (action && action !== `${NS}/${known}`) {
    throw invalid(`the SOAPAction '${action}' does not match the body's operation ${known} (expected '${NS}/${known}')`);
  }
  return { operation: known };
}
