/** Login and logout. The password is checked by the same authenticate() the SOAP services use. */
import type { Request, Response } from 'express';
import { isGuessLimited } from '../../logic/access/auth';
import { IpcdError } from '../../logic/core/errors';
import { login, logout, resumeSession } from '../../logic/access/sessions';
import { html } from '../html';
import { BASE } from '../layout';
import {
  clearCookie,
  cookies,
  flash,
  LOGIN_COOKIE,
  loginToken,
  loginTokenMatches,
  SESSION_COOKIE,
  setCookie,
  type UiRequest,
} from '../session';
import { param, render, route, type UiContext } from './common';

/** Only console paths on this site: never an open redirect. */
function safeNext(v: string | undefined): string {
  return v && v.startsWith(`${BASE}/`) && !v.startsWith('//') && !/[\\\r\n]/.test(v) && !v.startsWith(`${BASE}/login`)
    ? v
    : `${BASE}/`;
}

function form(
  req: Request,
  res: Response,
  opts: { next: string; username?: string; error?: string; expired?: boolean },
) {
  const token = loginToken(req, res);
  return html`<section class="login" aria-labelledby="login-title">
<h1 id="login-title">Log in to ipcd</h1>
<p class="muted">Use your ipcd account — the same user name and password as for the SOAP services.</p>
${opts.expired ? html`<p class="notice" role="status">Your session ended after a period of inactivity. Log in again to continue.</p>` : ''}
${opts.error ? html`<div class="alert" role="alert" id="login-error">${opts.error}</div>` : ''}
<form method="post" action="${BASE}/login" class="stack"${opts.error ? html` aria-describedby="login-error"` : ''}>
  <input type="hidden" name="_csrf" value="${token}">
  <input type="hidden" name="next" value="${opts.next}">
  <div class="field"><label for="username">User name</label><input id="username" name="username" autocomplete="username" required value="${opts.username ?? ''}"${
    opts.username ? '' : html` autofocus`
  }></div>
  <div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required${
    opts.username ? html` autofocus` : ''
  }></div>
  <button type="submit" class="primary">Log in</button>
</form>
</section>`;
}

export function loginRoutes(ctx: UiContext) {
  const getLogin = route(ctx, async (req: UiRequest, res) => {
    const next = safeNext(param(req.query, 'next'));
    if (await resumeSession(ctx.store, cookies(req)[SESSION_COOKIE], ctx.sessions, false))
      return res.redirect(303, next);
    res.setHeader('Cache-Control', 'no-store');
    render(req, res, 'Log in', form(req, res, { next, expired: param(req.query, 'expired') === '1' }));
  });

  const postLogin = route(ctx, async (req: UiRequest, res) => {
    const next = safeNext(param(req.body, 'next'));
    const username = String((req.body as Record<string, unknown>)?.username ?? '').trim();
    const password = String((req.body as Record<string, unknown>)?.password ?? '');
    if (!loginTokenMatches(req)) {
      return render(
        req,
        res,
        'Log in',
        form(req, res, { next, username, error: 'The login form had expired. Please try again.' }),
        { status: 403 },
      );
    }
    const who = req.ip ?? 'unknown';
    try {
      // The guessing limit is the SOAP services' one, kept in the database (see authenticate()).
      const { token } = await login(ctx.store, username, password, ctx.auth, ctx.sessions, req.ipcdRequestId, who);
      clearCookie(req, res, LOGIN_COOKIE);
      setCookie(req, res, SESSION_COOKIE, token);
      req.log.info('console login', { user: username });
      res.redirect(303, next);
    } catch (e) {
      if (!(e instanceof IpcdError) || e.code !== 'AUTHENTICATION_FAILED') throw e;
      if (isGuessLimited(e)) {
        req.log.warn('console login throttled', { remote: who });
        return render(
          req,
          res,
          'Log in',
          form(req, res, { next, username, error: 'Too many failed attempts. Wait a few minutes, then try again.' }),
          { status: 429 },
        );
      }
      req.log.info('console login refused', { user: username.slice(0, 64) });
      render(
        req,
        res,
        'Log in',
        form(req, res, { next, username, error: 'The user name or password is not accepted.' }),
        { status: 401 },
      );
    }
  });

  /** Behind requireSession and requireCsrf. */
  const postLogout = route(ctx, async (req: UiRequest, res) => {
    await logout(ctx.store, req.sessionToken!, req.session!, req.ipcdRequestId);
    clearCookie(req, res, SESSION_COOKIE);
    flash(req, res, 'You are logged out.');
    res.redirect(303, `${BASE}/login`);
  });

  return { getLogin, postLogin, postLogout };
}
