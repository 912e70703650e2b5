/**
 * The web console, mounted by src/app.ts at /ui on the same Express app as the SOAP services.
 * Server-rendered HTML (no build step, works without JavaScript except the live bars), one small
 * hand-written script for server-sent events and one stylesheet.
 */
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AuthSettings } from '../logic/access/auth';
import type { Store } from '../store/store';
import { resumeSession, type SessionSettings } from '../logic/access/sessions';
import type { Logger } from '../logger';
import { ROOT } from '../paths';
import { html } from './html';
import { BASE } from './layout';
import { UsageFeed } from './live';
import { ADD_NETWORK, NETWORK_ACTIONS } from './pages/actions';
import { actionRoutes } from './pages/action-steps';
import { auditRoute } from './pages/audit';
import { ADD_CONTAINER, ALLOCATE_NETWORK, containersRoute, REMOVE_CONTAINER } from './pages/containers';
import { render, type UiContext } from './pages/common';
import { dashboardRoute } from './pages/dashboard';
import { loginRoutes } from './pages/login';
import { networkRoute } from './pages/network';
import { searchRoute } from './pages/search';
import { usageRoutes } from './pages/usage';
import { cookies, requireCsrf, requireSession, SESSION_COOKIE, type UiRequest } from './session';

export { BASE as CONSOLE_PATH } from './layout';

export interface ConsoleOptions {
  store: Store;
  log: Logger;
  /** The SOAP services' authentication settings: the same password checks and cache. */
  auth: AuthSettings;
  /** Idle time after which a console session ends (default 30 minutes). */
  idleTimeoutMs?: number;
  /** How often the live view polls the database's change stamp (default 500 ms). */
  livePollMs?: number;
}

export interface Console {
  router: express.Router;
  /** Ends the open live streams (so the HTTP server can close). */
  close(): void;
}

export const ASSETS_DIR = join(ROOT, 'src', 'ui', 'assets');

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function createConsole(o: ConsoleOptions): Console {
  const sessions: SessionSettings = { idleTimeoutMs: o.idleTimeoutMs ?? 30 * 60_000 };
  const feed = new UsageFeed(o.store, o.log, o.livePollMs ?? 500);
  const ctx: UiContext = { store: o.store, log: o.log, auth: o.auth, sessions, feed };
  const router = express.Router();

  router.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    if (!req.path.startsWith('/assets/')) res.setHeader('Cache-Control', 'no-store');
    const started = process.hrtime.bigint();
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    // Server-Timing: the server's own time per page (bench/console.ts reads it).
    res.end = ((...args: unknown[]) => {
      if (!res.headersSent)
        res.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)}`);
      return end(...args);
    }) as Response['end'];
    next();
  });
  router.use('/assets', express.static(ASSETS_DIR, { maxAge: '1h', fallthrough: false, index: false }));
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 1000 }));

  const login = loginRoutes(ctx);
  router.get('/login', login.getLogin);
  router.post('/login', login.postLogin);

  router.use(requireSession(o.store, sessions));
  router.use(requireCsrf);
  router.post('/logout', login.postLogout);
  router.get('/', dashboardRoute(ctx));
  router.get('/events', (req: Request, res: Response) => events(ctx, req, res));
  router.get('/search', searchRoute(ctx));
  router.get('/audit', auditRoute(ctx));
  const usage = usageRoutes(ctx);
  router.get('/usage', usage.page);
  router.get('/usage.csv', usage.csv);
  const add = actionRoutes(ctx, ADD_NETWORK, { network: false });
  router.get('/new-network', add.get);
  router.post('/new-network', add.post);
  router.get('/networks/:name', networkRoute(ctx));
  router.get('/containers', containersRoute(ctx));
  for (const [path, spec] of [
    ['/new-container', ADD_CONTAINER],
    ['/containers/:name/allocate', ALLOCATE_NETWORK],
    ['/containers/:name/remove', REMOVE_CONTAINER],
  ] as const) {
    const r = actionRoutes(ctx, spec, { network: false });
    router.get(path, r.get);
    router.post(path, r.post);
  }
  for (const [action, spec] of Object.entries(NETWORK_ACTIONS)) {
    const r = actionRoutes(ctx, spec, { network: true });
    router.get(`/networks/:name/${action}`, r.get);
    router.post(`/networks/:name/${action}`, r.post);
  }

  router.use((req: Request, res: Response) => {
    render(
      req,
      res,
      'Not found',
      html`<h1>Not found</h1><p>There is no console page at this address. <a href="${BASE}/">Go to the dashboard</a>.</p>`,
      { status: 404 },
    );
  });
  // Console errors are pages, never SOAP faults (the app's last handler is the SOAP one).
  router.use((err: { status?: number; type?: string }, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err?.status && err.status < 500 ? err.status : 500;
    if (status === 500) req.log.error('console request failed', { error: String((err as Error)?.stack ?? err) });
    const text =
      err?.type === 'entity.too.large'
        ? 'The form was too large.'
        : status === 500
          ? 'The server could not answer this request.'
          : 'The request could not be read.';
    res.status(status).type('text/plain').send(text);
  });

  return { router, close: () => feed.close() };
}

/** Server-sent events: usage changes for the networks this session may see, until it ends. */
function events(ctx: UiContext, req: UiRequest, res: Response): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write('retry: 2000\n\n');
  const token = cookies(req)[SESSION_COOKIE];
  const unsubscribe = ctx.feed.subscribe(req.session!.principal, res);
  // The stream is not activity, but it must not outlive the session (logout, idle expiry, disabled user).
  const check = setInterval(
    () => {
      resumeSession(ctx.store, token, ctx.sessions, false)
        .then((s) => {
          if (s) return;
          res.write('event: expired\ndata: {}\n\n');
          res.end();
        })
        .catch(() => undefined);
    },
    Math.min(15_000, Math.max(1000, ctx.sessions.idleTimeoutMs / 4)),
  );
  res.on('close', () => {
    clearInterval(check);
    unsubscribe();
  });
}
