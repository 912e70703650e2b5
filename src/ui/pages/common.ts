/** Request plumbing the console's pages share: parameters, refusals as pages, async routes. */
import type { NextFunction, Request, Response } from 'express';
import { IpcdError } from '../../logic/core/errors';
import type { Store } from '../../store/store';
import type { SessionSettings } from '../../logic/access/sessions';
import type { AuthSettings } from '../../logic/access/auth';
import type { Logger } from '../../logger';
import { html, type Html } from '../html';
import { page, refusal } from '../layout';
import type { UsageFeed } from '../live';
import { takeFlash, type UiRequest } from '../session';

export interface UiContext {
  store: Store;
  log: Logger;
  auth: AuthSettings;
  sessions: SessionSettings;
  feed: UsageFeed;
}

/** A single text parameter (query or form): trimmed, '' and repeats count as absent. */
export function param(source: unknown, name: string): string | undefined {
  const v = (source as Record<string, unknown> | undefined)?.[name];
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

export const STATUS: Partial<Record<string, number>> = {
  NOT_FOUND: 404,
  UNKNOWN_DATA_CENTER: 404,
  ACCESS_DENIED: 403,
  AUTHENTICATION_FAILED: 401,
  INVALID_REQUEST: 422,
  BUSY: 503,
  UNAVAILABLE: 503,
};

export const statusOf = (e: IpcdError): number => STATUS[e.code] ?? 409;

export function render(
  req: UiRequest,
  res: Response,
  title: string,
  body: Html,
  opts: { status?: number; live?: boolean } = {},
): void {
  res
    .status(opts.status ?? 200)
    .type('html')
    .send(
      page(title, { session: req.session ?? null, path: req.baseUrl + req.path, flash: takeFlash(req, res) }, body, {
        live: opts.live,
      }),
    );
}

/** Wraps an async handler: refusals of the logic become a page with the fault's sentence. */
export function route(ctx: UiContext, fn: (req: UiRequest, res: Response) => Promise<void>) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      await fn(req, res);
    } catch (e) {
      if (res.headersSent) return next(e);
      if (e instanceof IpcdError) {
        const status = statusOf(e);
        return render(
          req,
          res,
          status === 404 ? 'Not found' : 'Refused',
          html`<h1>${status === 404 ? 'Not found' : 'Refused'}</h1>${refusal(e)}
<p><a href="/ui/">Back to the dashboard</a></p>`,
          { status },
        );
      }
      req.log.error('console request failed', { error: String((e as Error)?.stack ?? e) });
      render(
        req,
        res,
        'Error',
        html`<h1>Something went wrong</h1><div class="alert" role="alert">The server could not answer this request. It was logged under request id <code>${req.ipcdRequestId}</code>.</div>`,
        { status: 500 },
      );
    }
  };
}
