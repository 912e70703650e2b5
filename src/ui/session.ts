/**
 * Cookies, session loading and CSRF checks for the console. The session cookie is HttpOnly and
 * SameSite=Strict (Secure when the request came over TLS); every POST must carry the session's
 * synchronizer token in `_csrf`, the login form a one-off token matched against its own cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { csrfMatches, resumeSession, type SessionSettings } from '../logic/access/sessions';
import type { Actor } from '../logic/access/policy';
import type { Store } from '../store/store';
import { BASE } from './layout';

export const SESSION_COOKIE = 'ipcd_session';
export const LOGIN_COOKIE = 'ipcd_login';
export const FLASH_COOKIE = 'ipcd_flash';

/** The console's request: its session and request id are declared on Express's Request (src/request.ts). */
export type UiRequest = Request;

export function cookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (!k || k in out) continue;
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a malformed cookie is ignored, not an error page
    }
  }
  return out;
}

export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds?: number): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${BASE}`, 'HttpOnly', 'SameSite=Strict'];
  if (req.secure) parts.push('Secure');
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  res.append('Set-Cookie', parts.join('; '));
}

export const clearCookie = (req: Request, res: Response, name: string) => setCookie(req, res, name, '', 0);

export const actorOf = (req: UiRequest): Actor => ({ principal: req.session!.principal, requestId: req.ipcdRequestId });

/**
 * Loads the session for every console route but the public ones. Without one, pages redirect to
 * the login form (coming back afterwards), streams and posts get 401.
 */
export function requireSession(store: Store, settings: SessionSettings) {
  return async (req: UiRequest, res: Response, next: NextFunction) => {
    try {
      const token = cookies(req)[SESSION_COOKIE];
      const background = req.path === '/events';
      const session = await resumeSession(store, token, settings, !background);
      if (!session) {
        if (token) clearCookie(req, res, SESSION_COOKIE);
        if (req.method === 'GET' && !background) {
          const back = req.originalUrl.startsWith(`${BASE}/`) ? req.originalUrl : `${BASE}/`;
          return res.redirect(303, `${BASE}/login?next=${encodeURIComponent(back)}${token ? '&expired=1' : ''}`);
        }
        return res.status(401).type('text/plain').send('Your console session has ended: log in again.');
      }
      req.session = session;
      req.sessionToken = token;
      next();
    } catch (e) {
      next(e);
    }
  };
}

/** Refuses a POST whose `_csrf` is not this session's token (a forged cross-site or replayed form). */
export function requireCsrf(req: UiRequest, res: Response, next: NextFunction): void {
  if (req.method !== 'POST') return next();
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (req.session && csrfMatches(req.session, body._csrf)) return next();
  res
    .status(403)
    .type('text/plain')
    .send(
      'Refused: this form did not come from an open console page (its CSRF token is missing or wrong). Reload the page and try again.',
    );
}

/** A fresh one-off token for the login form, set as a cookie and echoed in the form. */
export function loginToken(req: Request, res: Response): string {
  const t = randomBytes(24).toString('base64url');
  setCookie(req, res, LOGIN_COOKIE, t, 3600);
  return t;
}

export function loginTokenMatches(req: Request): boolean {
  const a = cookies(req)[LOGIN_COOKIE];
  const b = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (!a || typeof b !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** A message for the next page (Post/Redirect/Get), shown once. */
export function flash(req: Request, res: Response, text: string): void {
  setCookie(req, res, FLASH_COOKIE, text.slice(0, 500), 60);
}

export function takeFlash(req: Request, res: Response): string | null {
  const f = cookies(req)[FLASH_COOKIE];
  if (!f) return null;
  clearCookie(req, res, FLASH_COOKIE);
  return f;
}
