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

export interface AppOptions {
  store: Store;
  log: Logger;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
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
        inspectEnvelope(xml, req.get('soapaction'));
        req.body = xml;
        next();
      } catch (e) {
        sendFault(req, res, e);
      }
    },
  );

  await new Promise<void>((resolve, reject) => {
    soap.listen(app, {
      path: ENDPOINT,
      services: commissioningService(o.store, o.log),
      xml: wsdlFor(`http://localhost${ENDPOINT}`),
      suppressStack: true,
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
