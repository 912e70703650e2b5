/** The page shell every console page shares: header, navigation, flash message, footer. */
import type { ConsoleSession } from '../logic/access/sessions';
import { html, type Html } from './html';

export const BASE = '/ui';

export interface PageContext {
  session: ConsoleSession | null;
  /** The current path, to mark the navigation entry. */
  path: string;
  /** A one-off message from the previous action (Post/Redirect/Get). */
  flash?: string | null;
}

const NAV: { href: string; label: string; prefix: string }[] = [
  { href: `${BASE}/`, label: 'Dashboard', prefix: `${BASE}/networks` },
  { href: `${BASE}/search`, label: 'Search', prefix: `${BASE}/search` },
  { href: `${BASE}/audit`, label: 'Audit log', prefix: `${BASE}/audit` },
  { href: `${BASE}/usage`, label: 'Usage', prefix: `${BASE}/usage` },
];

function current(path: string, item: (typeof NAV)[number]): boolean {
  if (item.href === `${BASE}/`) return path === `${BASE}/` || path === BASE || path.startsWith(item.prefix);
  return path.startsWith(item.prefix);
}

export function page(title: string, ctx: PageContext, body: Html, opts: { live?: boolean } = {}): string {
  const s = ctx.session;
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ipcd</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${BASE}/assets/ui.css">
<script src="${BASE}/assets/ui.js" defer></script>
</head>
<body${s ? html` data-expires="${s.expiresAt.toISOString()}"` : ''}${opts.live ? html` data-live="${BASE}/events"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="${BASE}/"><span class="logo" aria-hidden="true">ip</span>cd <span class="muted">console</span></a>
  ${
    s
      ? html`<nav aria-label="Main"><ul>${NAV.map(
          (n) =>
            html`<li><a href="${n.href}"${current(ctx.path, n) ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
        )}</ul></nav>
  <form class="quick-search" role="search" method="get" action="${BASE}/search">
    <label for="q" class="visually-hidden">Search by address, name or server instance</label>
    <input id="q" name="q" type="search" placeholder="Address, name or instance" autocomplete="off">
  </form>
  <div class="who">
    <span title="role: ${s.principal.role}">${s.principal.username} <span class="role role-${s.principal.role}">${s.principal.role}</span></span>
    <form method="post" action="${BASE}/logout"><input type="hidden" name="_csrf" value="${s.csrfToken}"><button class="link" type="submit">Log out</button></form>
  </div>`
      : ''
  }
</header>
<main id="main" tabindex="-1">
${ctx.flash ? html`<p class="flash" role="status">${ctx.flash}</p>` : ''}
${body}
</main>
<footer class="foot">ipcd · IP commissioning and decommissioning · all times are UTC</footer>
</body>
</html>`}`;
}

/** A refusal from the logic, as the page shows it: the stable code and the sentence. */
export const refusal = (e: { code: string; message: string }): Html =>
  html`<div class="alert" role="alert"><strong>Refused (${e.code}).</strong> ${e.message}</div>`;

/** The hidden CSRF field every form carries. */
export const csrfField = (s: ConsoleSession): Html => html`<input type="hidden" name="_csrf" value="${s.csrfToken}">`;
