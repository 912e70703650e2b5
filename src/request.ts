/**
 * What ipcd adds to every Express request, declared once (declaration merging) instead of cast at
 * each use: the request id every log line and audit row carries, a logger that adds it by itself,
 * and what the SOAP guard and the console's session check attach on the way.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { UsernameToken } from './logic/access/auth';
import type { ConsoleSession } from './logic/access/sessions';
import type { Logger } from './logger';

declare global {
  namespace Express {
    interface Request {
      /** X-Request-Id as the caller sent it (when well-formed), else a new UUID; echoed on the reply. */
      ipcdRequestId: string;
      /** The app's logger with `requestId` on every line. */
      log: RequestLog;
      /** SOAP endpoints: the WS-Security UsernameToken the guard found (absent: none was sent). */
      ipcdToken?: UsernameToken;
      /** Console: the signed-in session and its token, once requireSession has loaded them. */
      session?: ConsoleSession;
      sessionToken?: string;
    }
  }
}

const GIVEN_ID = /^[\w.:-]{1,64}$/;

type Meta = Record<string, unknown>;

/**
 * The app's logger with the request id added to every line. Not winston's child(): that builds a
 * new object from a property-descriptor map per request, a measurable share of a commission's CPU.
 */
export class RequestLog {
  constructor(
    private readonly base: Logger,
    private readonly requestId: string,
  ) {}
  info(message: string, meta?: Meta): void {
    this.base.info(message, { requestId: this.requestId, ...meta });
  }
  warn(message: string, meta?: Meta): void {
    this.base.warn(message, { requestId: this.requestId, ...meta });
  }
  error(message: string, meta?: Meta): void {
    this.base.error(message, { requestId: this.requestId, ...meta });
  }
}

/** First middleware of the app: the request id, its reply header and the request's logger. */
export function requestContext(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.get('x-request-id');
    req.ipcdRequestId = given && GIVEN_ID.test(given) ? given : randomUUID();
    req.log = new RequestLog(log, req.ipcdRequestId);
    res.setHeader('X-Request-Id', req.ipcdRequestId);
    next();
  };
}
