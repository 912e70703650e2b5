/**
 * Answers a request the guard has already parsed, without node-soap: the guard's args go to the
 * same handler node-soap would call, and the reply is written by envelope.ts. Measured: node-soap's
 * second parse and schema-walking serializer were a large share of the server's CPU per request.
 */
import type { ServerResponse } from 'node:http';
import { responseEnvelope } from './envelope';
import { faultEnvelope, faultInfo, faultStatus } from './fault';
import type { Inspected } from './guard';
import { OperationFault, type Handler, type SoapRequest } from './operation';
import { MEDIA_TYPE } from './soap-version';

export async function answerDirectly(
  handler: Handler,
  inspected: Inspected,
  req: SoapRequest,
  res: ServerResponse,
  ns: string,
): Promise<void> {
  const { version } = inspected;
  let status = 200;
  let body: string;
  try {
    const result = await handler(inspected.args, undefined, undefined, req);
    body = responseEnvelope(inspected.operation, (result ?? {}) as object, ns, version);
  } catch (e) {
    // The handler logged its refusal already; anything else is a bug of this path.
    if (!(e instanceof OperationFault)) req.log.error('unhandled error', { error: String((e as Error)?.stack ?? e) });
    const info = e instanceof OperationFault ? e.info : faultInfo(undefined);
    status = faultStatus(info.code, version);
    body = faultEnvelope(info, ns, version);
  }
  res.writeHead(status, { 'Content-Type': MEDIA_TYPE[version], 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
