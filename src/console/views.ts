/** The page frame and the small formatting helpers every console page shares (French labels). */
import type { AccountRole, DeliveryState, DestinationKind } from '../domain/index.js';
import type { SessionInfo } from '../security/index.js';
import type { ConsoleContext } from './context.js';
import { html, type SafeHtml } from './html.js';

export const roleLabels: Record<AccountRole, string> = { admin: 'administrateur', operator: 'opérateur', auditor: 'auditeur' };

export const stateLabels: Record<DeliveryState, string> = {
  held: 'retenu', pending: 'en attente', in_flight: 'en cours', done: 'remis', retry_wait: 'nouvel essai prévu', dead: 'en échec',
  cancelled: 'annulé',
};

export const kindLabels: Record<DestinationKind, string> = {
  dmp: 'DMP', mss_ps: 'MSSanté professionnel', mss_patient: 'MSSanté patient', dpi: 'DPI',
};

export const orderLabels = { hold: 'Retenir', release: 'Libérer', replay: 'Rejouer', cancel: 'Annuler' } as const;

/** Paris time, as the operators read it. */
export function formatDate(d: Date | null | undefined): string {
  if (!d) return '';
  return d.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'medium' });
}

interface NavItem { href: string; label: string; roles: readonly AccountRole[] }

const nav: NavItem[] = [
  { href: '/', label: 'Tableau de bord', roles: ['admin', 'operator', 'auditor'] },
  { href: '/documents', label: 'Documents', roles: ['admin', 'operator', 'auditor'] },
  { href: '/acheminements', label: 'Acheminements', roles: ['admin', 'operator', 'auditor'] },
  { href: '/courriels', label: 'Courriels reçus', roles: ['admin', 'operator', 'auditor'] },
  { href: '/traces', label: 'Traces MSSanté', roles: ['admin', 'operator', 'auditor'] },
  { href: '/statistiques', label: 'Statistiques', roles: ['admin', 'operator', 'auditor'] },
  { href: '/audit', label: 'Journal d’audit', roles: ['admin', 'auditor'] },
  { href: '/comptes', label: 'Comptes', roles: ['admin'] },
];

export interface PageOptions {
  title: string;
  session?: SessionInfo;
  /** The current section, for the navigation. */
  active?: string;
  flash?: { kind: 'info' | 'error'; text: string };
  /** Leave at once for this same-site path (a navigation started here, so SameSite=Strict cookies go along). */
  redirectTo?: string;
}

export function page(ctx: ConsoleContext, o: PageOptions, body: SafeHtml): SafeHtml {
  const s = o.session;
  // Without script, the page leaves for the login just after the inactivity lock. It goes there rather than
  // reloading itself, so an idle tab never counts as activity and never keeps the session alive.
  const idleSeconds = s ? Math.max(5, Math.ceil((s.idleExpiresAt.getTime() - s.lastSeenAt.getTime()) / 1000) + 2) : 0;
  return html`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${o.redirectTo !== undefined ? html`<meta http-equiv="refresh" content="0;url=${o.redirectTo}">`
    : s ? html`<meta http-equiv="refresh" content="${idleSeconds};url=/connexion?motif=inactivite">` : ''}
<title>${o.title} — Relais</title><link rel="stylesheet" href="/static/console.css"></head>
<body>
<header class="top"><span class="brand">Relais</span>
${s ? html`<nav>${nav.filter((n) => n.roles.includes(s.role) && !s.mustChangePassword).map((n) => html`<a href="${n.href}"${o.active === n.href ? html` class="active" aria-current="page"` : ''}>${n.label}</a>`)}</nav>
<form method="post" action="/deconnexion" class="logout"><input type="hidden" name="_csrf" value="${s.csrfToken}">
<span class="who">${s.login} (${roleLabels[s.role]})</span> <button type="submit">Se déconnecter</button></form>` : ''}
</header>
<main>
<h1>${o.title}</h1>
${o.flash ? html`<p class="flash ${o.flash.kind}" role="${o.flash.kind === 'error' ? 'alert' : 'status'}">${o.flash.text}</p>` : ''}
${body}
</main>
<footer>Relais — plateforme d’intermédiation DPI ⇄ DMP / MSSanté — version ${ctx.version}</footer>
</body></html>`;
}

export function errorPage(ctx: ConsoleContext, title: string, text: string, session?: SessionInfo): SafeHtml {
  return page(ctx, { title, ...(session ? { session } : {}) }, html`<p>${text}</p><p><a href="/">Retour au tableau de bord</a></p>`);
}

export function csrfField(s: SessionInfo): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${s.csrfToken}">`;
}

export function table(headers: readonly string[], rows: readonly SafeHtml[], empty = 'Aucun résultat.'): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}
