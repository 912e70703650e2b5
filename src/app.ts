/**
 * The HTTP face of ipcd: the WSDLs, the request guard and the SOAP endpoints on one Express app.
 * The commissioning service is answered from the guard's one parse; the management service by node-soap.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import * as soap from 'soap';
import { commissioningService } from './api/commissioning-service';
import { managementService } from './api/admin-service';
import { COMMISSIONING, MANAGEMENT, wsdlFor, type Contract } from './api/contract';
import { faultEnvelope, faultInfo, faultStatus, versionMismatchEnvelope, type FaultInfo } from './api/fault';
import { inspectEnvelope, type Inspected } from './api/guard';
import { answerDirectly } from './api/direct';
import {
  actionOf,
  MEDIA_TYPE,
  VersionMismatch,
  versionOfMedia,
  type EnvelopeSeen,
  type SoapVersion,
} from './api/soap-version';
import { IpcdError } from './logic/core/errors';
import type { Store } from './store/store';
import type { Logger } from './logger';
import {
  OperationFault,
  type AuthOptions,
  type Handler,
  type OperationContext,
  type SoapRequest,
} from './api/operation';
import { CONSOLE_PATH, createConsole } from './ui';
import { mountOps, type OpsEndpoints } from './ops/health';
import { requestContext } from './request';
import { MAX_BATCH_BODY_BYTES } from './config';

export interface AppOptions {
  store: Store;
  log: Logger;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  /** Largest accepted body of a batch operation (default MAX_BATCH_BODY_BYTES: 1,000 maximal items fit). */
  maxBatchBodyBytes?: number;
  auth: AuthOptions;
  /** The web console at /ui (always on; these tune it). */
  console?: { idleTimeoutMs?: number; livePollMs?: number };
  /** /healthz, /readyz and /metrics; absent: not served (benchmarks). */
  ops?: OpsEndpoints;
  /**
   * Express's 'trust proxy' (e.g. 'loopback' or a subnet) when ipcd sits behind a TLS-terminating
   * proxy: X-Forwarded-Proto/-Host/-For then set the WSDL's addresses, the console cookie's Secure
   * flag and the client address the login throttle counts. Unset: forwarded headers are ignored.
   */
  trustProxy?: string;
}

export const ENDPOINT = COMMISSIONING.endpoint;
/** Operations whose body may exceed maxBodyBytes, up to maxBatchBodyBytes. */
const BATCHES = new Set(['CommissionIPBatch', 'DecommissionIPBatch']);
export const ADMIN_ENDPOINT = MANAGEMENT.endpoint;

/**
 * The SOAP services this app serves, each with its contract and its handlers. direct: answered
 * from the guard's parse (flat parameters, the hot path); otherwise node-soap parses and replies.
 */
const SERVICES: {
  contract: Contract;
  handlers: (ctx: OperationContext) => Record<string, Record<string, Record<string, Handler>>>;
  direct: boolean;
}[] = [
  { contract: COMMISSIONING, handlers: commissioningService, direct: true },
  { contract: MANAGEMENT, handlers: managementService, direct: false },
];

export async function createApp(o: AppOptions): Promise<express.Express> {
  const app = express();
  app.disable('x-powered-by');
  if (o.trustProxy) app.set('trust proxy', o.trustProxy);

  app.use(requestContext(o.log));
  if (o.ops) mountOps(app, o.ops);

  const ui = createConsole({ store: o.store, log: o.log, auth: o.auth.settings, ...o.console });
  app.use(CONSOLE_PATH, ui.router);
  app.get('/', (_req, res) => res.redirect(302, `${CONSOLE_PATH}/`));
  // Open live streams would keep server.close() waiting: main.ts ends them on shutdown.
  app.locals.closeStreams = () => ui.close();

  const sendFault = (req: Request, res: Response, e: unknown, ns: string, version: SoapVersion) => {
    if (e instanceof VersionMismatch) {
      req.log.info('request', { operation: null, outcome: 'fault', faultCode: 'VERSION_MISMATCH' });
      o.ops?.metrics.rejectedRequest('VERSION_MISMATCH');
      return void res.status(500).type(MEDIA_TYPE[version]).send(versionMismatchEnvelope(e, version));
    }
    const f = faultInfo(e);
    req.log.info('request', { operation: null, outcome: 'fault', faultCode: f.code });
    o.ops?.metrics.rejectedRequest(f.code);
    res
      .status(faultStatus(f.code, version))
      .type(MEDIA_TYPE[version])
      .send(faultEnvelope(f, ns, version));
  };

  /**
   * Last line of defence: node-soap answers some inputs it cannot handle with its own error
   * text (plain text, or a fault without tns:IpcdFault). Whatever reaches the client as a
   * failure is a contract fault; node-soap's text only goes to the log. Over SOAP 1.2 every
   * fault is written here from the handler's FaultInfo: node-soap writes faults the 1.1 way.
   */
  const contractFaultsOnly = (req: Request & SoapRequest12, res: Response, ns: string, version: SoapVersion) => {
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      if (version === '1.2' && req.ipcdFault) {
        res.statusCode = faultStatus(req.ipcdFault.code, version);
        return end(faultEnvelope(req.ipcdFault, ns, version));
      }
      if (res.statusCode < 500 || (text.startsWith('<?xml') && text.includes('<ipcd:IpcdFault ')))
        return end(chunk, ...rest);
      req.log.error('unhandled error', { error: `node-soap: ${text.slice(0, 500)}` });
      const f = faultInfo(undefined);
      req.log.info('request', { operation: null, outcome: 'fault', faultCode: f.code });
      o.ops?.metrics.rejectedRequest(f.code);
      res.setHeader('Content-Type', MEDIA_TYPE[version]);
      return end(faultEnvelope(f, ns, version));
    }) as Response['end'];
  };

  const batchLimit = o.maxBatchBodyBytes ?? MAX_BATCH_BODY_BYTES;
  const tooLarge = (limit: number) =>
    new IpcdError('REQUEST_TOO_LARGE', `the request body exceeds the limit of ${limit} bytes`);
  for (const { contract, handlers, direct } of SERVICES) {
    const { endpoint, ns } = contract;
    const services = handlers({
      store: o.store,
      log: o.log,
      auth: o.auth,
      ns,
      model: contract.model,
      observer: o.ops?.metrics,
    });
    const operations = services[contract.service]?.[contract.port] ?? {};
    const missing = contract.operations.filter((op) => typeof operations[op] !== 'function');
    if (missing.length > 0)
      throw new Error(`${contract.wsdlFile} declares operations without a handler: ${missing.join(', ')}`);

    // node-soap writes one envelope version per server: SOAP 1.2 requests go to a second one.
    const soap12 = express.Router();

    // POST is the service and GET ?wsdl its description; anything else is told so, where node-soap
    // would answer an empty 200.
    app.get(endpoint, (req, res, next) => {
      const query = Object.keys(req.query);
      if (query.length === 0) return next();
      if (!/^wsdl$/i.test(query[0])) return res.status(404).type('text/plain').send(`${endpoint} serves only ?wsdl\n`);
      // The address clients are told to call: as this request reached us (through a trusted proxy:
      // as the proxy says). A Host that is not a plain host[:port] is not echoed into the XML.
      const host = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(req.host ?? '')
        ? req.host
        : 'localhost';
      res.type('text/xml').send(wsdlFor(contract, `${req.protocol}://${host}${endpoint}`));
    });
    app.all(endpoint, (req, res, next) => {
      if (req.method === 'POST') return next();
      res
        .status(405)
        .set('Allow', 'POST')
        .type('text/plain')
        .send(`${endpoint} is a SOAP 1.1 and 1.2 endpoint: POST requests to it; its WSDL is at ${endpoint}?wsdl\n`);
    });

    app.post(
      endpoint,
      express.raw({ type: () => true, limit: Math.max(o.maxBodyBytes, direct ? batchLimit : 0) }),
      (req: Request, res: Response, next: NextFunction) => {
        let inspected: Inspected;
        const seen: EnvelopeSeen = {};
        const contentType = req.get('content-type');
        try {
          const xml = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
          // Past maxBodyBytes only a batch is read: anything else (a malformed body too) is too large.
          const big = Buffer.isBuffer(req.body) && req.body.length > o.maxBodyBytes;
          try {
            inspected = inspectEnvelope(xml, req.get('soapaction') ?? actionOf(contentType), contract, seen);
          } catch (e) {
            throw big ? tooLarge(o.maxBodyBytes) : e;
          }
          if (big && !BATCHES.has(inspected.operation)) throw tooLarge(o.maxBodyBytes);
          req.ipcdToken = inspected.token;
          req.body = xml;
        } catch (e) {
          return sendFault(req, res, e, ns, seen.version ?? versionOfMedia(contentType));
        }
        if (direct) return void answerDirectly(operations[inspected.operation], inspected, req, res, ns).catch(next);
        // node-soap echoes the request's Content-Type on its reply: make that the version's own.
        req.headers['content-type'] = MEDIA_TYPE[inspected.version];
        contractFaultsOnly(req, res, ns, inspected.version);
        if (inspected.version === '1.2') return soap12(req, res, next);
        next();
      },
    );

    // Also for the direct service: node-soap checks its WSDL at start-up, as before.
    await listenSoap(app, endpoint, services, contract, false);
    if (!direct)
      await listenSoap(
        soap12,
        endpoint,
        { [contract.service]: { [contract.port]: recordingFaults(operations) } },
        contract,
        true,
      );
  }

  app.use((err: { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err?.type === 'entity.too.large') {
      const limit = nsOf(req) === COMMISSIONING.ns ? Math.max(o.maxBodyBytes, batchLimit) : o.maxBodyBytes;
      return sendFault(req, res, tooLarge(limit), nsOf(req), versionOfMedia(req.get('content-type')));
    }
    if (err?.status && err.status < 500) {
      return sendFault(
        req,
        res,
        new IpcdError('INVALID_REQUEST', 'the request body could not be read'),
        nsOf(req),
        versionOfMedia(req.get('content-type')),
      );
    }
    req.log.error('unhandled error', { error: String(err) });
    sendFault(req, res, err, nsOf(req), versionOfMedia(req.get('content-type')));
  });
  return app;
}

type SoapRequest12 = SoapRequest & { ipcdFault?: FaultInfo };

/** The handlers, keeping a refusal's FaultInfo on the request (contractFaultsOnly writes SOAP 1.2 faults from it). */
function recordingFaults(operations: Record<string, Handler>): Record<string, Handler> {
  const wrap =
    (h: Handler): Handler =>
    async (args, cb, headers, req: SoapRequest12) => {
      try {
        return await h(args, cb, headers, req);
      } catch (e) {
        if (e instanceof OperationFault) req.ipcdFault = e.info;
        throw e;
      }
    };
  return Object.fromEntries(Object.entries(operations).map(([name, h]) => [name, wrap(h)]));
}

async function listenSoap(
  on: express.Express | express.Router,
  endpoint: string,
  services: object,
  contract: Contract,
  soap12: boolean,
): Promise<void> {
  const server = await new Promise<soap.Server>((resolve, reject) => {
    const s: soap.Server = soap.listen(
      on as express.Express,
      {
        path: endpoint,
        services,
        xml: wsdlFor(contract, `http://localhost${endpoint}`),
        suppressStack: true,
        forceSoap12Headers: soap12,
        // One res.end(reply) per request, so contractFaultsOnly sees the whole reply.
        enableChunkedEncoding: false,
        // Hand xsd:int, xsd:boolean (and the management service's numbers and times) over as
        // text: node-soap's parseInt would read "12abc" as 12; parsing is the service's job.
        customDeserializer: TEXT_DESERIALIZERS,
        callback: (err: unknown) => (err ? reject(err) : resolve(s)),
      } as soap.IServerOptions,
    );
  });
  // node-soap declares every namespace of the WSDL's root on each reply's Envelope; the body
  // declares what it uses itself.
  (server as unknown as { wsdl: { xmlnsInEnvelope: string } }).wsdl.xmlnsInEnvelope = '';
}

/** The namespace of the service a request was addressed to (its faults' tns:IpcdFault). */
const nsOf = (req: Request) => SERVICES.find((s) => req.path === s.contract.endpoint)?.contract.ns ?? COMMISSIONING.ns;

const asText = (t: string) => t;
const TEXT_DESERIALIZERS = Object.fromEntries(
  [
    'int',
    'boolean',
    'long',
    'unsignedLong',
    'integer',
    'nonNegativeInteger',
    'positiveInteger',
    'decimal',
    'double',
    'dateTime',
    'date',
  ].map((t) => [t, asText]),
);
