/** The HTTP face of ipcd: the WSDL, the request guard and node-soap's endpoint on one Express app. */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import * as soap from 'soap';
import { commissioningService } from './api/commissioning-service';
import { wsdlFor } from './api/contract';
import { faultEnvelope, faultInfo } from './api/fault';
import { inspectEnvelope } from './api/guard';
import { IpcdError } from './logic/errors';
import type { Store } from './logic/ports';
import type { Logger } from './logger';
import type { AuthOptions, SoapRequest } from './api/operation';

export interface AppOptions {
  store: Store;
  log: Logger;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  auth: AuthOptions;
}

export const ENDPOINT = '/ipcd';

export async function createApp(o: AppOptions): Promise<express.Express> {
  const app = express();
  app.disable('x-powered-by');

  app.use((req: Request & { ipcdRequestId?: string }, res, next) => {
    const given = req.get('x-request-id');
    req.ipcdRequestId = given && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.ipcdRequestId);
    next();
  });

  app.get(ENDPOINT, (req, res, next) => {
    if (!/^wsdl$/i.test(Object.keys(req.query)[0] ?? '')) return next();
    res.type('text/xml').send(wsdlFor(`${req.protocol}://${req.get('host')}${ENDPOINT}`));
  });

  const sendFault = (req: Request & { ipcdRequestId?: string }, res: Response, e: unknown) => {
    const f = faultInfo(e);
    o.log.info('request', { requestId: req.ipcdRequestId, operation: null, outcome: 'fault', faultCode: f.code });
    res.status(500).type('text/xml; charset=utf-8').send(faultEnvelope(f));
  };

  app.post(
    ENDPOINT,
    express.raw({ type: () => true, limit: o.maxBodyBytes }),
    (req: Request, res: Response, next: NextFunction) => {
      try {
        const xml = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
        (req as unknown as SoapRequest).ipcdToken = inspectEnvelope(xml, req.get('soapaction')).token;
        req.body = xml;
      } catch (e) {
        return sendFault(req, res, e);
      }
      // node-soap echoes the request's Content-Type on its reply: make that SOAP 1.1's.
      req.headers['content-type'] = 'text/xml; charset=utf-8';
      contractFaultsOnly(req, res);
      next();
    },
  );

  /**
   * Last line of defence: node-soap answers some inputs it cannot handle with its own error
   * text (plain text, or a fault without tns:IpcdFault). Whatever reaches the client as a
   * failure is a contract fault; node-soap's text only goes to the log.
   */
  const contractFaultsOnly = (req: Request & { ipcdRequestId?: string }, res: Response) => {
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      if (res.statusCode < 500 || (text.startsWith('<?xml') && text.includes('<ipcd:IpcdFault '))) return end(chunk, ...rest);
      o.log.error('unhandled error', { requestId: req.ipcdRequestId, error: `node-soap: ${text.slice(0, 500)}` });
      const f = faultInfo(undefined);
      o.log.info('request', { requestId: req.ipcdRequestId, operation: null, outcome: 'fault', faultCode: f.code });
      res.setHeader('Content-Type', 'text/xml; charset=utf-8');
      return end(faultEnvelope(f));
    }) as Response['end'];
  };

  await new Promise<void>((resolve, reject) => {
    soap.listen(app, {
      path: ENDPOINT,
      services: commissioningService({ store: o.store, log: o.log, auth: o.auth }),
      xml: wsdlFor(`http://localhost${ENDPOINT}`),
      suppressStack: true,
      // One res.end(reply) per request, so contractFaultsOnly sees the whole reply.
      enableChunkedEncoding: false,
      // Hand xsd:int and xsd:boolean over as text: node-soap's parseInt would read "12abc" as 12.
      customDeserializer: { int: (t: string) => t, boolean: (t: string) => t },
      callback: (err: unknown) => (err ? reject(err) : resolve()),
    } as soap.IServerOptions);
  });

  app.use((err: { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err?.type === 'entity.too.large') {
      return sendFault(req, res, new IpcdError('REQUEST_TOO_LARGE', `the request body exceeds the limit of ${o.maxBodyBytes} bytes`));
    }
    if (err?.status && err.status < 500) {
      return sendFault(req, res, new IpcdError('INVALID_REQUEST', 'the request body could not be read'));
    }
    o.log.error('unhandled error', { requestId: (req as { ipcdRequestId?: string }).ipcdRequestId, error: String(err) });
    sendFault(req, res, err);
  });
  return app;
}
