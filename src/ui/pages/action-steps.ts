/**
 * The three steps every administrator action takes: a form, a confirmation page that says what
 * will happen, and the change — made by the logic with the logged-in user as the actor, so its
 * policy decides (a tenant's forged post is refused there, and audited). A refusal brings the
 * form back with the fault's code and sentence. The actions themselves are in actions.ts.
 */
import type { Response } from 'express';
import { networkDetail, type NetworkDetail } from '../../logic/topology/address-map';
import { IpcdError } from '../../logic/core/errors';
import { html, type Html } from '../html';
import { BASE, csrfField, refusal } from '../layout';
import { actorOf, flash, type UiRequest } from '../session';
import { canManage } from './dashboard';
import { networkPath } from './network';
import { render, route, statusOf, type UiContext } from './common';

export type Values = Record<string, string | string[]>;

export interface Done {
  redirect: string;
  flash: string;
}

export interface ActionSpec {
  title: (name: string) => string;
  /** The form's fields (without CSRF and buttons), filled from values. */
  form: (ctx: UiContext, req: UiRequest, d: NetworkDetail | null, v: Values) => Promise<Html>;
  /** What will happen, in words; null when there is nothing to do. */
  confirm: (ctx: UiContext, req: UiRequest, d: NetworkDetail | null, v: Values) => Promise<Html | null>;
  run: (ctx: UiContext, req: UiRequest, d: NetworkDetail | null, v: Values) => Promise<Done>;
  danger?: boolean;
  submit: string;
}

export const one = (v: Values, k: string): string => {
  const x = v[k];
  return (Array.isArray(x) ? (x[0] ?? '') : (x ?? '')).trim();
};
export const many = (v: Values, k: string): string[] => {
  const x = v[k];
  return (Array.isArray(x) ? x : x === undefined || x === '' ? [] : [x]).map((s) => s.trim()).filter(Boolean);
};
export const opt = (s: string): string | undefined => (s === '' ? undefined : s);

function bodyValues(req: UiRequest): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
    if (k === '_csrf' || k === 'confirm') continue;
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

function hidden(v: Values): Html {
  return html`${Object.entries(v).flatMap(([k, x]) => (Array.isArray(x) ? x : [x]).map((s) => html`<input type="hidden" name="${k}" value="${s}">`))}`;
}

// ---------------------------------------------------------------- the three steps

function formPage(
  req: UiRequest,
  res: Response,
  spec: ActionSpec,
  d: NetworkDetail | null,
  fields: Html,
  action: string,
  error?: IpcdError,
) {
  const title = spec.title(d?.view.network.name ?? '');
  render(
    req,
    res,
    title,
    html`${crumbs(d, title)}<h1>${title}</h1>
${error ? refusal(error) : ''}
<form method="post" action="${action}" class="stack action-form">
  ${csrfField(req.session!)}
  ${fields}
  <div class="actions"><button type="submit" class="primary">${spec.submit}</button> <a href="${d ? networkPath(d.view.network.name) : `${BASE}/`}">Cancel</a></div>
</form>`,
    { status: error ? statusOf(error) : 200 },
  );
}

function crumbs(d: NetworkDetail | null, title: string): Html {
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="${BASE}/">Networks</a> › ${d ? html`<a href="${networkPath(d.view.network.name)}">${d.view.network.name}</a> › ` : ''}<span aria-current="page">${title}</span></nav>`;
}

/** GET shows the form; POST without confirm=yes shows the confirmation; with it, runs the change. */
export function actionRoutes(ctx: UiContext, spec: ActionSpec, opts: { network: boolean }) {
  const load = async (req: UiRequest) =>
    opts.network ? networkDetail(ctx.store, String(req.params.name), actorOf(req)) : null;
  const pathOf = (req: UiRequest) => req.baseUrl + req.path;
  const onlyAdmins = (req: UiRequest) => {
    if (!canManage(req.session!.principal))
      throw new IpcdError(
        'ACCESS_DENIED',
        `user '${req.session!.principal.username}' (${req.session!.principal.role}) may not manage networks: that is for administrators`,
      );
  };

  const get = route(ctx, async (req, res) => {
    onlyAdmins(req);
    const d = await load(req);
    formPage(req, res, spec, d, await spec.form(ctx, req, d, {}), pathOf(req));
  });

  const post = route(ctx, async (req, res) => {
    const d = await load(req);
    const v = bodyValues(req);
    const step =
      typeof (req.body as Record<string, unknown>)?.confirm === 'string'
        ? String((req.body as Record<string, unknown>).confirm)
        : '';
    if (step === 'yes') {
      // No console-side role check here: the logic's policy decides, and audits a refusal.
      try {
        const done = await spec.run(ctx, req, d, v);
        flash(req, res, done.flash);
        return res.redirect(303, done.redirect);
      } catch (e) {
        if (!(e instanceof IpcdError)) throw e;
        if (e.code === 'ACCESS_DENIED' || !canManage(req.session!.principal)) throw e;
        return formPage(req, res, spec, d, await spec.form(ctx, req, d, v), pathOf(req), e);
      }
    }
    onlyAdmins(req);
    if (step === 'back') return formPage(req, res, spec, d, await spec.form(ctx, req, d, v), pathOf(req));
    const summary = await spec.confirm(ctx, req, d, v);
    if (!summary) {
      return formPage(
        req,
        res,
        spec,
        d,
        await spec.form(ctx, req, d, v),
        pathOf(req),
        new IpcdError('INVALID_REQUEST', 'nothing would change: fill in the form first'),
      );
    }
    const title = `Confirm: ${spec.title(d?.view.network.name ?? '')}`;
    render(
      req,
      res,
      title,
      html`${crumbs(d, title)}<h1>${title}</h1>
<div class="confirm${spec.danger ? ' danger' : ''}">${summary}</div>
<form method="post" action="${pathOf(req)}" class="confirm-form">
  ${csrfField(req.session!)}
  ${hidden(v)}
  <div class="actions">
    <button type="submit" name="confirm" value="yes" class="${spec.danger ? 'danger' : 'primary'}" autofocus>Confirm</button>
    <button type="submit" name="confirm" value="back">Back</button>
    <a href="${d ? networkPath(d.view.network.name) : `${BASE}/`}">Cancel</a>
  </div>
</form>`,
    );
  });
  return { get, post };
}
