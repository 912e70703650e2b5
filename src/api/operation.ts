/**
 * One SOAP operation as a handler (node-soap's, or called straight from the guarded request):
 * authenticate the caller, run the logic, log one line, and turn any refusal into the contract's
 * fault. Every service's operations go through here.
 */
import type { Request } from 'express';
import { authenticate, type AuthSettings } from '../logic/access/auth';
import { VerifiedCredentials } from '../logic/access/passwords';
import { auditRefusals, type AuditTarget } from '../logic/audit/audit';
import type { Actor } from '../logic/access/policy';
import type { Store } from '../store/store';
import type { Logger } from '../logger';
import { fieldsOf, type ContractModel, type Field } from '../contract';
import { faultcode, faultInfo, type FaultInfo } from './fault';
import { only } from './parse';
import { inOrder } from './reply';

export type Args = Record<string, unknown>;
/** The request id, its logger and the guard's UsernameToken are declared on Request (src/request.ts). */
export type SoapRequest = Request;
export type Handler = (args: Args, cb: unknown, headers: unknown, req: SoapRequest) => Promise<unknown>;

export interface AuthOptions {
  /** false only for development and functional tests: every caller then acts as 'anonymous' admin. */
  required: boolean;
  settings: AuthSettings;
}

/** Told the outcome of every operation (the metrics). */
export interface OperationObserver {
  observe(operation: string, outcome: 'ok' | 'fault', faultCode: string | null, seconds: number): void;
}

export interface OperationContext {
  store: Store;
  log: Logger;
  auth: AuthOptions;
  /** The service's target namespace: its faults carry tns:IpcdFault in it. */
  ns: string;
  /**
   * The generated contract: a request holding an element its operation does not name is refused,
   * an empty element with a schema default means that default, and the response is put in the
   * schema's element order.
   */
  model: ContractModel;
  observer?: OperationObserver;
}

/** A refusal as a handler throws it: node-soap writes `Fault`; the direct path writes `info`. */
export class OperationFault {
  readonly Fault: object;
  constructor(
    readonly info: FaultInfo,
    ns: string,
  ) {
    this.Fault = {
      faultcode: faultcode(info.code),
      faultstring: info.message,
      detail: {
        'ipcd:IpcdFault': { attributes: { 'xmlns:ipcd': ns }, 'ipcd:code': info.code, 'ipcd:message': info.message },
      },
      statusCode: 500,
    };
  }
}

/**
 * One rule for refusals: a change (an operation given `change`) that an authenticated caller asks
 * for leaves one audit row whatever refuses it — its arguments, the policy or the state; reads
 * leave none. Rows the logic wrote are not written twice (auditRefusals records each once).
 */
export function soapOperation(
  ctx: OperationContext,
  name: string,
  run: (args: Args, actor: Actor) => Promise<object>,
  change?: (args: Args) => AuditTarget,
): Handler {
  const { input, output } = ctx.model.operations[name];
  const elements = fieldsOf(ctx.model, input);
  const defaults = defaultsOf(elements);
  const checked = (args: Args, actor: Actor) => {
    only(
      args,
      elements.map((f) => f.name),
    );
    return run(args, actor);
  };
  return async (args, _cb, _headers, req) => {
    const started = process.hrtime.bigint();
    const context: Record<string, unknown> = { operation: name, vlan: args?.vlan, dataCenter: args?.dataCenter };
    const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
    try {
      const actor = await actorOf(ctx, req, CACHED_AUTH.has(name));
      context.user = actor.principal.username;
      const given = withDefaults(args ?? {}, defaults);
      const answer = await (change
        ? auditRefusals(ctx.store, actor, name, change(given), () => checked(given, actor))
        : checked(given, actor));
      const response = inOrder(ctx.model, output, answer);
      const took = ms();
      req.log.info('request', { ...context, outcome: 'ok', durationMs: took });
      ctx.observer?.observe(name, 'ok', null, took / 1000);
      return response;
    } catch (e) {
      const f = faultInfo(e);
      ctx.observer?.observe(name, 'fault', f.code, ms() / 1000);
      if (f.code === 'INTERNAL')
        req.log.error('request failed', {
          ...context,
          outcome: 'fault',
          faultCode: f.code,
          error: String((e as Error)?.stack ?? e),
          durationMs: ms(),
        });
      else req.log.info('request', { ...context, outcome: 'fault', faultCode: f.code, durationMs: ms() });
      throw new OperationFault(f, ctx.ns);
    }
  };
}

/** Operations whose writes re-check the caller against the configuration they are made from. */
const CACHED_AUTH = new Set(['CommissionIP', 'DecommissionIP', 'NameOnly', 'CommissionIPBatch', 'DecommissionIPBatch']);

async function actorOf(ctx: OperationContext, req: SoapRequest, cached: boolean): Promise<Actor> {
  if (!ctx.auth.required) {
    return {
      principal: { username: 'anonymous', role: 'admin', tenantId: null, grants: [] },
      requestId: req.ipcdRequestId,
    };
  }
  const client = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
  return {
    principal: await authenticate(ctx.store, req.ipcdToken, ctx.auth.settings, client, cached),
    requestId: req.ipcdRequestId,
  };
}

/**
 * An empty element arrives as null (from node-soap or the guard). XML Schema reads an empty element that has a default
 * as that default; one without stays null, which the parsers read as the empty string.
 */
/** The schema defaults of an element's children, by name. */
export const defaultsOf = (fields: readonly Field[]): Record<string, string> =>
  Object.fromEntries(fields.flatMap((f) => (f.default === undefined ? [] : [[f.name, f.default]])));

export function withDefaults(args: Args, defaults: Readonly<Record<string, string>>): Args {
  return Object.fromEntries(
    Object.entries(args).map(([k, v]) => [k, v === null && defaults[k] !== undefined ? defaults[k] : v]),
  );
}

/** The audit target of a change as its raw arguments name it (they may be refused before parsing). */
export const changeOf =
  (objectType: string | ((args: Args) => string), key: string) =>
  (args: Args): AuditTarget => ({
    objectType: typeof objectType === 'string' ? objectType : objectType(args),
    objectId: rawId(args[key]),
  });

const rawId = (x: unknown): string | null =>
  typeof x === 'string' ? x.slice(0, 128) : Array.isArray(x) ? x.map(rawId).join(',').slice(0, 128) : null;

/** Auth options with a fresh verified-credential cache. */
export function authOptions(
  required: boolean,
  secretKey?: Buffer,
  replayWindowMs = 5 * 60_000,
  guessLimit?: AuthSettings['guessLimit'],
): AuthOptions {
  return { required, settings: { cache: new VerifiedCredentials(), secretKey, replayWindowMs, guessLimit } };
}
