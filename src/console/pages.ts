/**
 * The server-rendered pages (French; the login pages are in login-pages.ts): dashboard, documents, deliveries with
 * their operator orders, inbound mails, MSSanté traces, audit trail, accounts, statistics. Forms post with
 * the session's CSRF token; every value from the store is escaped by `html`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accountRoles, deliveryStates, destinationKinds, isRelaisError, type AccountRole, type DeliveryState } from '../domain/index.js';
import { csvField } from '../security/index.js';
import { buildStatisticsRows, collectStatisticCounts, indicators, isStatisticsYear, statisticsCsv, type StatisticsRow } from '../stats/index.js';
import {
  countDeliveriesByKind, countFlows, countNotificationsByState, countOutcomes, getDocumentSummary, getNotificationPayload, listAttempts,
  listDocumentMessages, listNotifications,
  listInboundMailHeadlines, listMssTraces, listMailReceipts, searchDeliveries, searchDocuments, type DeliveryView,
} from '../store/index.js';
import { deliveryOrders, type DeliveryOrder } from './admin-api.js';
import { runOrder } from './api.js';
import { authorize, type Authorized } from './auth.js';
import { barChart } from './charts.js';
import { ADMINS, AUDITORS, OPERATORS, READERS, type ConsoleContext } from './context.js';
import { html, query, type SafeHtml } from './html.js';
import { parseSearch, searchFields } from './search-params.js';
import {
  csrfField, errorPage, formatDate, kindLabels, orderLabels, page, roleLabels, stateLabels, table, type PageOptions,
} from './views.js';

const HTML = 'text/html; charset=utf-8';

/** Short column headings; the full indicator name is the cell's title and the CSV column (docs/statistics.md). */
const statHeadings: Record<(typeof indicators)[number], string> = {
  dmp_flux_succes: 'DMP ok', dmp_flux_echec: 'DMP échec', dmp_historique_succes: 'Hist. ok', dmp_historique_echec: 'Hist. échec',
  mss_ps_succes: 'PS ok', mss_ps_echec: 'PS échec', mss_ps_ins_qualifie_succes: 'PS INS q. ok', mss_ps_ins_qualifie_echec: 'PS INS q. échec',
  mss_ps_remplacements: 'PS rempl.', mss_ps_suppressions: 'PS suppr.', mss_patient_succes: 'Patient ok', mss_patient_echec: 'Patient échec',
  recus_dpi_succes: 'Reçus ok', recus_dpi_echec: 'Reçus échec', recus_demandes_remplacement: 'Dem. rempl.', recus_demandes_suppression: 'Dem. suppr.',
};

function send(reply: FastifyReply, body: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type(HTML).send(body.text);
}

const notificationStateLabels: Record<string, string> = {
  pending: 'à envoyer', in_flight: 'en cours', done: 'acquitté', retry_wait: 'nouvel essai prévu', dead: 'en échec',
};

/** Which orders make sense from a state (the store applies its own transitions anyway). */
const ordersFrom: Record<DeliveryState, readonly DeliveryOrder[]> = {
  held: ['release', 'cancel'], pending: ['hold', 'cancel'], retry_wait: ['hold', 'cancel'], dead: ['replay', 'cancel'],
  in_flight: [], done: [], cancelled: [],
};

function searchForm(action: string, q: Record<string, string>, extra: SafeHtml = html``): SafeHtml {
  return html`<form method="get" action="${action}" class="search">
<label>INS <input name="ins" value="${q.ins ?? ''}" maxlength="200"></label>
<label>IPP <input name="ipp" value="${q.ipp ?? ''}" maxlength="200"></label>
<label>Identifiant du document <input name="documentId" value="${q.documentId ?? ''}" maxlength="200"></label>
<label>MSH-10 <input name="controlId" value="${q.controlId ?? ''}" maxlength="200"></label>
<label>Message-ID <input name="messageId" value="${q.messageId ?? ''}" maxlength="200"></label>
<label>Du <input name="from" type="date" value="${q.from ?? ''}"></label>
<label>Au <input name="to" type="date" value="${q.to ?? ''}"></label>
<label>État <select name="state"><option value="">(tous)</option>${deliveryStates.map((s) => html`<option value="${s}"${q.state === s ? html` selected` : ''}>${stateLabels[s]}</option>`)}</select></label>
${extra}
<button type="submit">Rechercher</button></form>`;
}

function stringQuery(req: FastifyRequest): Record<string, string> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(q).filter(([, v]) => typeof v === 'string' && v.length <= 200)) as Record<string, string>;
}

function orderButtons(who: Authorized, d: DeliveryView, back: string): SafeHtml {
  if (!OPERATORS.includes(who.session.role as 'admin' | 'operator')) return html``;
  return html`${ordersFrom[d.state].map((o) => html`<form method="post" action="/acheminements/${d.id}/${o}" class="inline">${csrfField(who.session)}<input type="hidden" name="back" value="${back}"><button type="submit" class="order-${o}">${orderLabels[o]}</button></form>`)}`;
}

function deliveryRows(who: Authorized, rows: readonly DeliveryView[], withDocument = true): SafeHtml[] {
  const back = withDocument ? '/acheminements' : `/documents/${rows[0]?.documentRowId ?? ''}`;
  return rows.map((d) => html`<tr><td>${d.id}</td>${withDocument ? html`<td><a href="/documents/${d.documentRowId}">${d.documentId}</a></td><td>${d.ipp ?? ''}</td>` : ''}
<td>${kindLabels[d.kind]}</td><td>${d.recipient ?? ''}</td><td><span class="state state-${d.state}">${stateLabels[d.state]}</span></td>
<td>${d.reason ?? ''}</td><td>${d.attemptCount}</td><td>${formatDate(d.updatedAt)}</td><td>${orderButtons(who, d, back)}</td></tr>`);
}

/** HL7 v2 one segment per line, the segment name set apart; anything else as text. */
function rawView(raw: Buffer, channel: string): SafeHtml {
  const text = raw.subarray(0, 64 * 1024).toString('utf8');
  if (channel === 'hl7') {
    const segments = text.split(/\r\n|\r|\n/).filter((s) => s.length > 0);
    return html`<pre class="hl7">${segments.map((s) => html`<span class="seg">${s.slice(0, 3)}</span>${s.slice(3)}
`)}</pre>`;
  }
  return html`<pre class="raw">${text}${raw.length > 64 * 1024 ? '\n…' : ''}</pre>`;
}

/** Subject and sender from the head of a raw mail (RFC 2047 words decoded when simple). */
export function mailHeader(head: Buffer, name: string): string {
  const text = head.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const headers = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const line = headers.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (!line) return '';
  return line.slice(name.length + 1).trim().replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, data: string) => {
    try {
      return enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
    } catch {
      return data;
    }
  });
}

function hourLabels(start: Date, count: number, unit: 'hour' | 'day'): { at: number; label: string }[] {
  const step = unit === 'hour' ? 3_600_000 : 86_400_000;
  return Array.from({ length: count }, (_, i) => {
    const at = start.getTime() + i * step;
    const d = new Date(at);
    const label = unit === 'hour'
      ? d.toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit' })
      : d.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit' });
    return { at, label };
  });
}

function truncTo(d: Date, unit: 'hour' | 'day'): Date {
  const t = new Date(d);
  t.setUTCMinutes(0, 0, 0);
  if (unit === 'day') t.setUTCHours(0);
  return t;
}

async function statisticsRows(ctx: ConsoleContext, year: number): Promise<StatisticsRow[]> {
  const counts = await collectStatisticCounts(ctx.store, { year });
  return buildStatisticsRows(counts, { documentTypes: ctx.statistics.documentTypes, finessByMailbox: ctx.statistics.finessByMailbox });
}

export function registerPages(app: FastifyInstance, ctx: ConsoleContext): void {
  const view = (who: Authorized, title: string, active: string, body: SafeHtml, flash?: PageOptions['flash']) =>
    page(ctx, { title, session: who.session, active, ...(flash ? { flash } : {}) }, body);
  const flashOf = (req: FastifyRequest): PageOptions['flash'] | undefined => {
    const q = stringQuery(req);
    if (q.ok) return { kind: 'info', text: q.ok };
    if (q.erreur) return { kind: 'error', text: q.erreur };
    return undefined;
  };

  app.get('/', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS });
    if (!who) return reply;
    const now = ctx.now();
    const hourStart = new Date(truncTo(now, 'hour').getTime() - 23 * 3_600_000);
    const dayStart = new Date(truncTo(now, 'day').getTime() - 13 * 86_400_000);
    const [flows, outcomes, depths, notifications] = await Promise.all([
      countFlows(ctx.store.db, { since: hourStart, unit: 'hour' }), countOutcomes(ctx.store.db, { since: dayStart, unit: 'day' }),
      countDeliveriesByKind(ctx.store.db), countNotificationsByState(ctx.store.db),
    ]);
    const hours = hourLabels(hourStart, 24, 'hour');
    const flowSeries = [
      { name: 'HL7 acceptés', color: '#2e7d32', match: (f: typeof flows[number]) => f.channel === 'hl7' && f.direction === 'in' && f.status === 'accepted' },
      { name: 'HL7 refusés', color: '#c62828', match: (f: typeof flows[number]) => f.channel === 'hl7' && f.direction === 'in' && f.status !== 'accepted' },
      { name: 'Courriels reçus', color: '#1565c0', match: (f: typeof flows[number]) => f.channel === 'mail' && f.direction === 'in' },
      { name: 'Autres échanges', color: '#9e9e9e', match: (f: typeof flows[number]) => !(f.direction === 'in' && (f.channel === 'hl7' || f.channel === 'mail')) },
    ];
    const flowChart = barChart({
      title: 'Flux reçus par heure (24 dernières heures)', labels: hours.map((h) => h.label), series: flowSeries,
      values: hours.map((h) => flowSeries.map((s) => flows.filter((f) => f.at.getTime() === h.at && s.match(f)).reduce((a, f) => a + f.count, 0))),
    });
    const days = hourLabels(dayStart, 14, 'day');
    const outcomeSeries = [
      { name: 'DMP remis', color: '#2e7d32', kinds: ['dmp'], state: 'done' },
      { name: 'DMP en échec', color: '#c62828', kinds: ['dmp'], state: 'dead' },
      { name: 'MSSanté remis', color: '#1565c0', kinds: ['mss_ps', 'mss_patient'], state: 'done' },
      { name: 'MSSanté en échec', color: '#ef6c00', kinds: ['mss_ps', 'mss_patient'], state: 'dead' },
      { name: 'DPI remis', color: '#6a1b9a', kinds: ['dpi'], state: 'done' },
      { name: 'DPI en échec', color: '#8d6e63', kinds: ['dpi'], state: 'dead' },
    ];
    const outcomeChart = barChart({
      title: 'Acheminements terminés par jour et par canal (14 derniers jours)', labels: days.map((d) => d.label), series: outcomeSeries,
      values: days.map((d) => outcomeSeries.map((s) => outcomes.filter((o) => o.at.getTime() === d.at && s.kinds.includes(o.kind) && o.state === s.state)
        .reduce((a, o) => a + o.count, 0))),
    });
    const depth = (kind: string, state: string) => depths.find((d) => d.kind === kind && d.state === state)?.count ?? 0;
    const queueRows = destinationKinds.map((k) => html`<tr><th>${kindLabels[k]}</th>${deliveryStates.map((s) => {
      const n = depth(k, s);
      return html`<td class="num">${n > 0 ? html`<a href="/acheminements${query({ kind: k, state: s })}">${n}</a>` : '0'}</td>`;
    })}</tr>`);
    const held = depths.filter((d) => d.state === 'held').reduce((a, d) => a + d.count, 0);
    const dead = depths.filter((d) => d.state === 'dead').reduce((a, d) => a + d.count, 0);
    const peers = ctx.peers();
    const dpiDead = notifications.dead ?? 0;
    const dpiWaiting = (notifications.retry_wait ?? 0) + (notifications.pending ?? 0);
    const body = html`
<section class="tiles">
<a class="tile${held > 0 ? ' warn' : ''}" href="/acheminements?state=held"><span class="n">${held}</span> acheminements retenus</a>
<a class="tile${dead > 0 ? ' bad' : ''}" href="/acheminements?state=dead"><span class="n">${dead}</span> acheminements en échec</a>
<span class="tile${dpiDead > 0 ? ' bad' : ''}"><span class="n">${dpiWaiting}</span> messages en attente vers le DPI (${dpiDead} en échec)</span>
</section>
<section><h2>Santé des partenaires</h2>${table(['Partenaire', 'État', 'Depuis', 'Détail'], peers.map((p) => html`<tr><td>${p.name}</td>
<td><span class="health ${p.healthy === undefined ? 'unknown' : p.healthy ? 'up' : 'down'}">${p.healthy === undefined ? '—' : p.healthy ? 'disponible' : 'indisponible'}</span></td>
<td>${formatDate(p.since)}</td><td>${p.detail}</td></tr>`), 'Aucun partenaire : la console lit un entrepôt sans nœud démarré.')}</section>
<section>${flowChart}</section>
<section>${outcomeChart}</section>
<section><h2>Files d’attente</h2><table class="matrix"><thead><tr><th></th>${deliveryStates.map((s) => html`<th>${stateLabels[s]}</th>`)}</tr></thead><tbody>${queueRows}</tbody></table></section>`;
    return send(reply, view(who, 'Tableau de bord', '/', body));
  });

  app.get('/documents', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS });
    if (!who) return reply;
    const q = stringQuery(req);
    const s = parseSearch(Object.fromEntries(searchFields.map((f) => [f, q[f]])));
    const given = searchFields.some((f) => q[f] !== undefined && q[f] !== '');
    let results: SafeHtml = html`<p class="empty">Saisissez au moins un critère, ou lancez la recherche sans critère pour les derniers documents.</p>`;
    let flash: PageOptions['flash'];
    if (!s.ok) {
      flash = { kind: 'error', text: `Critère invalide : ${s.field}.` };
    } else if (given || q.tous !== undefined) {
      const docs = await searchDocuments(ctx.store.db, { limit: 50, ...s.value });
      const last = docs.at(-1);
      results = html`${table(['Reçu le', 'Document', 'Type', 'INS', 'IPP', 'MSH-10', 'Action'], docs.map((d) => html`<tr>
<td>${formatDate(d.createdAt)}</td><td><a href="/documents/${d.id}">${d.title ?? d.documentId}</a><br><small>${d.documentId}</small></td>
<td>${d.typeLabel ?? d.typeCode}</td><td>${d.patientIns ?? ''}</td><td>${d.ipp ?? ''}</td><td>${d.controlId ?? ''}</td><td>${d.action}</td></tr>`))}
${docs.length === (s.value.limit ?? 50) && last ? html`<p><a href="/documents${query({ ...q, before: last.id })}">Page suivante</a></p>` : ''}`;
    }
    return send(reply, view(who, 'Documents', '/documents', html`${searchForm('/documents', q, html`<input type="hidden" name="tous" value="1">`)}${results}`, flash));
  });

  app.get<{ Params: { id: string } }>('/documents/:id', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS });
    if (!who) return reply;
    const doc = await getDocumentSummary(ctx.store.db, req.params.id);
    if (!doc) return send(reply, errorPage(ctx, 'Document introuvable', 'Aucun document ne porte ce numéro.', who.session), 404);
    const [deliveries, messages, notifications] = await Promise.all([
      searchDeliveries(ctx.store.db, { documentRowId: doc.id }), listDocumentMessages(ctx.store.db, doc.messageId),
      listNotifications(ctx.store.db, { messageId: doc.messageId, limit: 50 }),
    ]);
    const zamPayloads = await Promise.all(notifications.map((n) => getNotificationPayload(ctx.store.db, n.id)));
    const details = await Promise.all(deliveries.map(async (d) => ({
      attempts: await listAttempts(ctx.store.db, d.id),
      receipts: d.kind.startsWith('mss') ? await listMailReceipts(ctx.store.db, d.id) : [],
      traces: d.mailMessageId ? await listMssTraces(ctx.store.db, { mailMessageId: d.mailMessageId, limit: 50 }) : [],
    })));
    const body = html`
<dl class="facts">
<dt>Titre</dt><dd>${doc.title ?? ''}</dd><dt>Identifiant</dt><dd>${doc.documentId}</dd><dt>Type</dt><dd>${doc.typeLabel ?? ''} (${doc.typeCode})</dd>
<dt>Action</dt><dd>${doc.action}</dd><dt>INS</dt><dd>${doc.patientIns ?? ''} ${doc.insQualified ? '(qualifié)' : '(non qualifié)'}</dd>
<dt>IPP</dt><dd>${doc.ipp ?? ''}</dd><dt>MSH-10</dt><dd>${doc.controlId ?? ''}</dd><dt>Reçu le</dt><dd>${formatDate(doc.createdAt)}</dd>
<dt>FINESS géographique</dt><dd>${doc.finessGeo ?? ''}</dd><dt>CDA</dt><dd>${doc.cdaSize} octets, SHA-256 ${doc.cdaSha256}</dd>
</dl>
<h2>Acheminements</h2>
${table(['N°', 'Canal', 'Destinataire', 'État', 'Motif', 'Essais', 'Mis à jour', 'Actions'], deliveryRows(who, deliveries, false))}
${deliveries.map((d, i) => {
    const x = details[i]!;
    return html`<section class="delivery"><h3>Acheminement ${d.id} — ${kindLabels[d.kind]}${d.recipient ? html` vers ${d.recipient}` : ''}</h3>
${d.mailMessageId ? html`<p>Message-ID : <code>${d.mailMessageId}</code></p>` : ''}
${table(['Début', 'Fin', 'Résultat', 'Code', 'Réponse du partenaire'], x.attempts.map((a) => html`<tr><td>${formatDate(a.startedAt)}</td>
<td>${formatDate(a.finishedAt)}</td><td>${a.outcome ?? ''}</td><td>${a.errorCode ?? ''}</td><td><pre class="answer">${(a.peerAnswer ?? '').slice(0, 4000)}</pre></td></tr>`), 'Aucun essai.')}
${x.receipts.length > 0 ? table(['Accusé', 'Statut', 'Code', 'Émetteur', 'Reçu le'], x.receipts.map((r) => html`<tr><td>${r.kind.toUpperCase()}</td><td>${r.status}</td><td>${r.code ?? ''}</td><td>${r.reporter ?? ''}</td><td>${formatDate(r.receivedAt)}</td></tr>`)) : ''}
${x.traces.length > 0 ? html`<details><summary>Traces SMTP/IMAP (${x.traces.length})</summary>${table(['Heure', 'Action', 'Requête', 'Réponse', 'OK'], x.traces.map((t) => html`<tr><td>${formatDate(t.at)}</td><td>${t.action}</td><td><code>${t.request}</code></td><td><code>${t.response}</code></td><td>${t.ok ? 'oui' : 'non'}</td></tr>`))}</details>` : ''}
</section>`;
  })}
<h2>Messages</h2>
${messages.map((m) => html`<section class="message"><h3>${m.direction === 'in' ? 'Reçu de' : 'Envoyé à'} ${m.peer} — ${m.messageType ?? m.channel} — ${m.status}</h3>
${rawView(m.raw, m.channel)}${m.ack ? html`<h4>Accusé (${m.ackCode ?? ''})</h4>${rawView(m.ack, m.channel)}` : ''}</section>`)}
<h2>Accusés métier vers le DPI</h2>
${notifications.length === 0 ? html`<p class="empty">Aucun accusé métier (ZAM) pour le message de ce document.</p>` : notifications.slice().reverse().map((n, i) => {
    const payload = zamPayloads[notifications.length - 1 - i];
    return html`<section class="message"><h3>${n.kind.replace('zam_z', 'ZAM^Z')} — MSH-10 ${n.controlId} — ${notificationStateLabels[n.state] ?? n.state}, ${n.attemptCount} essai(s)${n.lastError ? html` — ${n.lastError}` : ''}</h3>
${payload ? rawView(payload, 'hl7') : ''}${n.ack ? html`<h4>Accusé du DPI</h4>${rawView(n.ack, 'hl7')}` : ''}</section>`;
  })}`;
    return send(reply, view(who, `Document ${doc.title ?? doc.documentId}`, '/documents', body, flashOf(req)));
  });

  app.get('/acheminements', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS });
    if (!who) return reply;
    const q = stringQuery(req);
    const s = parseSearch(Object.fromEntries(searchFields.map((f) => [f, q[f]])));
    let flash = flashOf(req);
    let rows: DeliveryView[] = [];
    if (!s.ok) flash = { kind: 'error', text: `Critère invalide : ${s.field}.` };
    else rows = await searchDeliveries(ctx.store.db, { limit: 50, ...s.value });
    const kindSelect = html`<label>Canal <select name="kind"><option value="">(tous)</option>${destinationKinds.map((k) => html`<option value="${k}"${q.kind === k ? html` selected` : ''}>${kindLabels[k]}</option>`)}</select></label>`;
    const criteria = s.ok ? Object.entries(q).filter(([k, v]) => (searchFields as readonly string[]).includes(k) && k !== 'limit' && k !== 'before' && v !== '') : [];
    const bulk = s.ok && criteria.length > 0 && OPERATORS.includes(who.session.role as 'admin' | 'operator')
      ? html`<form method="post" action="/acheminements/lot" class="bulk">${csrfField(who.session)}
${criteria.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<span>Pour tous les acheminements correspondant à la recherche (1000 au plus) :</span>
${deliveryOrders.map((o) => html`<button type="submit" name="order" value="${o}" class="order-${o}">${orderLabels[o]}</button>`)}</form>` : html``;
    const last = rows.at(-1);
    const body = html`${searchForm('/acheminements', q, kindSelect)}${bulk}
${table(['N°', 'Document', 'IPP', 'Canal', 'Destinataire', 'État', 'Motif', 'Essais', 'Mis à jour', 'Actions'], deliveryRows(who, rows))}
${rows.length === 50 && last ? html`<p><a href="/acheminements${query({ ...q, before: last.id })}">Page suivante</a></p>` : ''}`;
    return send(reply, view(who, 'Acheminements', '/acheminements', body, flash));
  });

  const back = (req: FastifyRequest, fallback: string): string => {
    // Back to the page the form was on: a path of this console only, never another site.
    const b = (req.body ?? {}) as Record<string, unknown>;
    return typeof b.back === 'string' && /^\/[a-z][a-z0-9/_-]{0,100}$/.test(b.back) ? b.back : fallback;
  };

  app.post<{ Params: { id: string; order: string } }>('/acheminements/:id/:order', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: OPERATORS, mutating: true });
    if (!who) return reply;
    const order = req.params.order as DeliveryOrder;
    if (!deliveryOrders.includes(order) || !/^[1-9]\d{0,18}$/.test(req.params.id)) {
      return send(reply, errorPage(ctx, 'Action inconnue', 'Cette action n’existe pas.', who.session), 404);
    }
    const r = await runOrder(ctx, who, order, { id: req.params.id });
    const text = r.changed > 0 ? `${orderLabels[order]} : acheminement ${req.params.id} pris en compte.`
      : `${orderLabels[order]} : l’acheminement ${req.params.id} n’est pas dans un état qui le permet.`;
    return reply.redirect(`${back(req, '/acheminements')}${query(r.changed > 0 ? { ok: text } : { erreur: text })}`, 303);
  });

  app.post('/acheminements/lot', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: OPERATORS, mutating: true });
    if (!who) return reply;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const order = b.order as DeliveryOrder;
    const s = parseSearch(Object.fromEntries(searchFields.map((f) => [f, b[f]])));
    if (!deliveryOrders.includes(order) || !s.ok || Object.keys(s.value).length === 0) {
      return reply.redirect(`/acheminements${query({ erreur: 'Action ou critères invalides.' })}`, 303);
    }
    const r = await runOrder(ctx, who, order, { search: s.value });
    const kept = Object.fromEntries(searchFields.filter((f) => typeof b[f] === 'string').map((f) => [f, b[f] as string]));
    return reply.redirect(`/acheminements${query({ ...kept, ok: `${orderLabels[order]} : ${r.changed} acheminement(s) sur ${r.matched}${r.more ? ' (d’autres restent : relancez)' : ''}.` })}`, 303);
  });

  app.get('/courriels', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS });
    if (!who) return reply;
    const mails = await listInboundMailHeadlines(ctx.store.db, { limit: 100 });
    const body = table(['Reçu le', 'BAL', 'Expéditeur', 'Objet', 'Type', 'État', 'Résultat', 'Documents'], mails.map((m) => html`<tr>
<td>${formatDate(m.createdAt)}</td><td>${m.mailbox}</td><td>${mailHeader(m.head, 'From')}</td><td>${mailHeader(m.head, 'Subject')}</td>
<td>${m.kind}</td><td>${m.state}</td><td>${m.outcome ?? ''}${m.errorCode ? html` (${m.errorCode})` : ''}</td><td class="num">${m.documents}</td></tr>`));
    return send(reply, view(who, 'Courriels reçus', '/courriels', body));
  });

  const traceQuery = (q: Record<string, string>) => {
    const s = parseSearch({ from: q.from, to: q.to, messageId: q.messageId });
    if (!s.ok) return undefined;
    return {
      ...(s.value.from ? { since: s.value.from } : {}), ...(s.value.to ? { until: s.value.to } : {}),
      ...(s.value.mailMessageId ? { mailMessageId: s.value.mailMessageId } : {}), failedOnly: q.echecs === '1',
    };
  };

  app.get('/traces', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS });
    if (!who) return reply;
    const q = stringQuery(req);
    const tq = traceQuery(q);
    const traces = tq ? await listMssTraces(ctx.store.db, { ...tq, limit: 200 }) : [];
    const body = html`<form method="get" action="/traces" class="search">
<label>Du <input name="from" type="date" value="${q.from ?? ''}"></label><label>Au <input name="to" type="date" value="${q.to ?? ''}"></label>
<label>Message-ID <input name="messageId" value="${q.messageId ?? ''}" maxlength="200"></label>
<label class="check"><input type="checkbox" name="echecs" value="1"${q.echecs === '1' ? html` checked` : ''}> échecs seulement</label>
<button type="submit">Filtrer</button> <a class="button" href="/traces.csv${query(q)}" download>Exporter en CSV</a></form>
${table(['Heure', 'Auteur', 'Protocole', 'Action', 'Requête', 'Réponse', 'OK', 'Durée (ms)'], traces.map((t) => html`<tr><td>${formatDate(t.at)}</td>
<td>${t.actor}</td><td>${t.protocol.toUpperCase()}</td><td>${t.action}</td><td><code>${t.request}</code></td><td><code>${t.response}</code></td>
<td>${t.ok ? 'oui' : html`<span class="state state-dead">non</span>`}</td><td class="num">${t.durationMs ?? ''}</td></tr>`))}`;
    return send(reply, view(who, 'Traces MSSanté (SMTP et IMAP)', '/traces', body, tq ? undefined : { kind: 'error', text: 'Critère invalide.' }));
  });

  app.get('/traces.csv', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS });
    if (!who) return reply;
    const tq = traceQuery(stringQuery(req));
    if (!tq) return reply.code(400).type('text/plain; charset=utf-8').send('critère invalide');
    const lines = ['id;at;actor;protocol;action;request;response;ok;mail_message_id;duration_ms\r\n'];
    let beforeId: string | undefined;
    for (;;) {
      const page = await listMssTraces(ctx.store.db, { ...tq, limit: 1000, ...(beforeId ? { beforeId } : {}) });
      for (const t of page) {
        lines.push([t.id, t.at.toISOString(), t.actor, t.protocol, t.action, t.request, t.response, t.ok ? '1' : '0', t.mailMessageId ?? '',
          t.durationMs === null || t.durationMs === undefined ? '' : String(t.durationMs)].map(csvField).join(';') + '\r\n');
      }
      if (page.length < 1000) break;
      beforeId = page.at(-1)!.id;
    }
    await ctx.security.audit({ actor: who.session.login, operation: 'trace_export', result: 'success', detail: { rows: lines.length - 1 }, sourceIp: who.ip });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="traces-mssante.csv"').send(lines.join(''));
  });

  app.get('/audit', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: AUDITORS });
    if (!who) return reply;
    const q = stringQuery(req);
    const before = q.before && /^[1-9]\d{0,18}$/.test(q.before) ? q.before : undefined;
    const actor = q.actor && q.actor.length <= 64 ? q.actor : undefined;
    const rows = await ctx.security.queryAudit({ limit: 100, ...(before ? { beforeId: before } : {}), ...(actor ? { actor } : {}) });
    const last = rows.at(-1);
    const body = html`<form method="get" action="/audit" class="search"><label>Auteur <input name="actor" value="${actor ?? ''}" maxlength="64"></label>
<button type="submit">Filtrer</button> <a class="button" href="/audit.csv${query({ actor })}" download>Exporter en CSV</a>
<a class="button" href="/audit.jsonl${query({ actor })}" download>Exporter en JSON lines (SIEM)</a></form>
${table(['N°', 'Date', 'Auteur', 'Opération', 'Cible', 'Résultat', 'Détail', 'Adresse'], rows.map((r) => html`<tr><td>${r.id}</td><td>${formatDate(r.at)}</td>
<td>${r.actor}</td><td>${r.operation}</td><td>${r.target ?? ''}</td><td><span class="result-${r.result}">${r.result === 'success' ? 'succès' : 'échec'}</span></td>
<td><code>${r.detail ?? ''}</code></td><td>${r.sourceIp ?? ''}</td></tr>`))}
${rows.length === 100 && last ? html`<p><a href="/audit${query({ actor, before: last.id })}">Page suivante</a></p>` : ''}`;
    return send(reply, view(who, 'Journal d’audit', '/audit', body));
  });

  for (const format of ['csv', 'jsonl'] as const) {
    app.get(`/audit.${format}`, async (req, reply) => {
      const who = await authorize(ctx, req, reply, { kind: 'page', roles: AUDITORS });
      if (!who) return reply;
      const actor = stringQuery(req).actor;
      const parts: string[] = [];
      for await (const chunk of ctx.security.exportAudit(format, actor && actor.length <= 64 ? { actor } : {})) parts.push(chunk);
      await ctx.security.audit({ actor: who.session.login, operation: 'audit_export', result: 'success', detail: { format }, sourceIp: who.ip });
      return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit.${format}"`).send(parts.join(''));
    });
  }

  app.get('/comptes', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: ADMINS });
    if (!who) return reply;
    const accounts = await ctx.security.accounts.list();
    const action = (login: string, name: string, label: string, extra: SafeHtml = html``) =>
      html`<form method="post" action="/comptes/${login}/${name}" class="inline">${csrfField(who.session)}${extra}<button type="submit">${label}</button></form>`;
    const provider = ctx.oidc?.label ?? 'fournisseur d’identité';
    const body = html`${table(['Identifiant', 'Rôle', 'État', 'Connexion', 'Second facteur', 'Dernière connexion', 'Actions'], accounts.map((a) => html`<tr>
<td>${a.login}</td><td>${roleLabels[a.role]}</td>
<td>${a.disabledAt ? 'désactivé' : a.lockedAt ? html`<span class="state state-dead">verrouillé</span>` : 'actif'}${a.mustChangePassword ? ' — changement de mot de passe exigé' : ''}</td>
<td>${a.hasPassword ? 'mot de passe' : ''}${a.hasPassword && a.oidcId !== null ? ' + ' : ''}${a.oidcId !== null ? html`${provider} (<code>${a.oidcId}</code>)` : ''}</td>
<td>${!a.hasPassword ? 'celui du fournisseur' : a.totpEnrolled ? 'TOTP actif' : a.totpRequired ? 'TOTP exigé, non confirmé' : '—'}</td><td>${formatDate(a.lastLoginAt)}</td>
<td>${a.lockedAt ? action(a.login, 'unlock', 'Déverrouiller') : ''}${a.disabledAt ? action(a.login, 'enable', 'Réactiver') : action(a.login, 'disable', 'Désactiver')}
${action(a.login, 'role', 'Changer le rôle', html`<select name="role" aria-label="Rôle">${accountRoles.map((r) => html`<option value="${r}"${r === a.role ? html` selected` : ''}>${roleLabels[r]}</option>`)}</select>`)}
${action(a.login, 'identite', a.oidcId === null ? 'Rattacher' : 'Modifier le rattachement', html`<input name="oidcId" value="${a.oidcId ?? ''}" maxlength="255" aria-label="Identité chez ${provider}" placeholder="identité (ex. RPPS)">`)}</td></tr>`))}
<h2>Nouveau compte</h2>
<form method="post" action="/comptes" class="card narrow" autocomplete="off">${csrfField(who.session)}
<label>Identifiant <input name="login" required maxlength="64"></label>
<label>Rôle <select name="role">${accountRoles.map((r) => html`<option value="${r}">${roleLabels[r]}</option>`)}</select></label>
<label>Mot de passe provisoire <input name="password" type="password" maxlength="1024" autocomplete="new-password"></label>
<label>Identité chez ${provider} (facultatif) <input name="oidcId" maxlength="255" placeholder="ex. identifiant national RPPS"></label>
<p class="hint">Donnez un mot de passe provisoire, une identité chez ${provider}, ou les deux. Le titulaire changera le mot de passe à sa première connexion ; un compte administrateur à mot de passe reçoit un secret TOTP, affiché une seule fois. Vider le rattachement d’un compte le détache du fournisseur, s’il garde un mot de passe.</p>
<button type="submit">Créer le compte</button></form>`;
    return send(reply, view(who, 'Comptes', '/comptes', body, flashOf(req)));
  });

  app.post('/comptes', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: ADMINS, mutating: true });
    if (!who) return reply;
    const b = (req.body ?? {}) as Record<string, unknown>;
    const password = typeof b.password === 'string' && b.password !== '' ? b.password.slice(0, 1024) : undefined;
    const oidcId = typeof b.oidcId === 'string' && b.oidcId.trim() !== '' ? b.oidcId.trim().slice(0, 255) : undefined;
    if (typeof b.login !== 'string' || (password === undefined && oidcId === undefined) || !(accountRoles as readonly unknown[]).includes(b.role)) {
      return reply.redirect(`/comptes${query({ erreur: 'Formulaire incomplet : un identifiant, un rôle, et un mot de passe provisoire ou une identité.' })}`, 303);
    }
    try {
      const r = await ctx.security.accounts.create({
        login: b.login, role: b.role as AccountRole, mustChangePassword: true,
        ...(password !== undefined ? { password } : {}), ...(oidcId !== undefined ? { oidcId } : {}),
      }, { actor: who.session.login, sourceIp: who.ip });
      if (r.totpUri) {
        return send(reply, view(who, 'Compte créé', '/comptes', html`<p>Le compte ${r.account.login} est créé. Faites enregistrer ce secret dans l’application d’authentification du titulaire ; il ne sera plus affiché :</p>
<p><code class="secret">${r.totpUri}</code></p><p><a href="/comptes">Retour aux comptes</a></p>`));
      }
      return reply.redirect(`/comptes${query({ ok: `Compte ${r.account.login} créé.` })}`, 303);
    } catch (e) {
      if (isRelaisError(e)) return reply.redirect(`/comptes${query({ erreur: e.message })}`, 303);
      throw e;
    }
  });

  app.post<{ Params: { login: string; action: string } }>('/comptes/:login/:action', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: ADMINS, mutating: true });
    if (!who) return reply;
    const by = { actor: who.session.login, sourceIp: who.ip };
    const { login, action } = req.params;
    const accounts = ctx.security.accounts;
    try {
      if (action === 'disable') await accounts.disable(login, by);
      else if (action === 'enable') await accounts.enable(login, by);
      else if (action === 'unlock') await accounts.unlock(login, by);
      else if (action === 'role') {
        const role = ((req.body ?? {}) as Record<string, unknown>).role;
        if (!(accountRoles as readonly unknown[]).includes(role)) return reply.redirect(`/comptes${query({ erreur: 'Rôle inconnu.' })}`, 303);
        await accounts.setRole(login, role as AccountRole, by);
      } else if (action === 'identite') {
        const id = ((req.body ?? {}) as Record<string, unknown>).oidcId;
        await accounts.linkIdentity(login, typeof id === 'string' && id.trim() !== '' ? id.trim().slice(0, 255) : null, by);
      } else {
        return send(reply, errorPage(ctx, 'Action inconnue', 'Cette action n’existe pas.', who.session), 404);
      }
    } catch (e) {
      if (isRelaisError(e)) return reply.redirect(`/comptes${query({ erreur: e.message })}`, 303);
      throw e;
    }
    return reply.redirect(`/comptes${query({ ok: `Compte ${login} : modification enregistrée.` })}`, 303);
  });

  const yearOf = (req: FastifyRequest): number | undefined => {
    const raw = stringQuery(req).annee;
    if (raw === undefined || raw === '') return ctx.now().getUTCFullYear();
    const y = /^\d{4}$/.test(raw) ? Number(raw) : NaN;
    return isStatisticsYear(y) ? y : undefined;
  };

  app.get('/statistiques', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS });
    if (!who) return reply;
    const year = yearOf(req);
    if (year === undefined) return send(reply, errorPage(ctx, 'Statistiques', 'Année invalide.', who.session), 400);
    const rows = await statisticsRows(ctx, year);
    const months = [...new Set(rows.map((r) => r.month))];
    const sum = (month: string, names: readonly string[]) => rows.filter((r) => r.month === month)
      .reduce((a, r) => a + names.reduce((b, n) => b + (r.values as Record<string, number>)[n]!, 0), 0);
    const series = [
      { name: 'DMP succès', color: '#2e7d32', ind: ['dmp_flux_succes', 'dmp_historique_succes'] },
      { name: 'DMP échec', color: '#c62828', ind: ['dmp_flux_echec', 'dmp_historique_echec'] },
      { name: 'MSSanté succès', color: '#1565c0', ind: ['mss_ps_succes', 'mss_patient_succes'] },
      { name: 'MSSanté échec', color: '#ef6c00', ind: ['mss_ps_echec', 'mss_patient_echec'] },
      { name: 'Reçus transmis au DPI', color: '#6a1b9a', ind: ['recus_dpi_succes'] },
      { name: 'Reçus en échec', color: '#8d6e63', ind: ['recus_dpi_echec'] },
    ];
    const monthNames = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
    const chart = barChart({
      title: `Envois et réceptions par mois (${year})`, labels: monthNames.map((m) => m.slice(5)), series,
      values: monthNames.map((m) => series.map((s) => (months.includes(m) ? sum(m, s.ind) : 0))),
    });
    const active = rows.filter((r) => indicators.some((i) => r.values[i] !== 0));
    const body = html`<form method="get" action="/statistiques" class="search"><label>Année <input name="annee" value="${year}" maxlength="4" inputmode="numeric"></label>
<button type="submit">Afficher</button> <a class="button" href="/statistiques.csv${query({ annee: year })}" download>Exporter en CSV</a></form>
<p class="hint">Indicateurs SC.STAT/ES.02 par FINESS géographique, type de document et mois ; le CSV suit docs/statistics.md (aussi : relais stats export).</p>
${chart}
${active.length === 0 ? html`<p class="empty">Aucune activité cette année.</p>` : html`<div class="scroll"><table class="stats"><thead><tr><th>Mois</th><th>FINESS</th><th>Type</th>
${indicators.map((i) => html`<th title="${i}">${statHeadings[i]}</th>`)}</tr></thead><tbody>
${active.map((r) => html`<tr><td>${r.month}</td><td>${r.finessGeo || '—'}</td><td title="${r.typeLabel}">${r.typeCode}</td>
${indicators.map((i) => html`<td class="num">${r.values[i]}</td>`)}</tr>`)}</tbody></table></div>`}`;
    return send(reply, view(who, 'Statistiques', '/statistiques', body));
  });

  app.get('/statistiques.csv', async (req, reply) => {
    const who = await authorize(ctx, req, reply, { kind: 'page', roles: READERS });
    if (!who) return reply;
    const year = yearOf(req);
    if (year === undefined) return reply.code(400).type('text/plain; charset=utf-8').send('année invalide');
    const csv = statisticsCsv(await statisticsRows(ctx, year), { bom: stringQuery(req).bom === '1' });
    await ctx.security.audit({ actor: who.session.login, operation: 'stats_export', result: 'success', detail: { year }, sourceIp: who.ip });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="statistiques-${year}.csv"`).send(csv);
  });
}

