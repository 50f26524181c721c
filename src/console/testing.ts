/**
 * Test support for the console: a console on a test store with a clock the test moves, one account per
 * role, logins through the real API, and seeded flows (documents, deliveries in every state, a mail).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AccountRole } from '../domain/index.js';
import { silentLogger } from '../engine/index.js';
import { createSecurity, totpCode, type Security, type SecuritySettingsInput } from '../security/index.js';
import { fixedClock, secretOf, type Clock } from '../security/test-support.js';
import {
  insertDeliveries, insertDocument, insertMessage, insertMssTraces, insertNotification, recordAttempt, recordInboundMail,
  type Store,
} from '../store/index.js';
import { sampleDocument, sampleMessage } from '../store/testing.js';
import { buildConsole } from './server.js';
import type { LoginLimits } from './rate-limit.js';
import { followProviderRedirects, type TestIdp } from './testing/oidc-idp.js';

export const PASSWORDS: Record<AccountRole, string> = {
  admin: 'Chef-Passw0rd!2026xy', operator: 'Quai-Passw0rd!2026xy', auditor: 'Revue-Passw0rd!2026x',
};

export interface ConsoleHarness {
  app: FastifyInstance;
  security: Security;
  clock: Clock;
  /** The admin's TOTP secret (base32). */
  adminSecret: string;
  close(): Promise<void>;
}

export async function consoleHarness(
  store: Store, o: { settings?: SecuritySettingsInput; loginLimits?: LoginLimits; createAccounts?: boolean } = {},
): Promise<ConsoleHarness> {
  // Start near now: the dashboard buckets and the statistics year follow the clock.
  const clock = fixedClock(new Date(Math.floor(Date.now() / 60_000) * 60_000));
  const security = createSecurity({ db: store.db, settings: o.settings ?? {}, now: clock.now });
  const by = { actor: 'system' };
  let adminSecret = '';
  if (o.createAccounts !== false) {
    const admin = await security.accounts.create({ login: 'admin', role: 'admin', password: PASSWORDS.admin }, by);
    await security.accounts.create({ login: 'operator', role: 'operator', password: PASSWORDS.operator }, by);
    await security.accounts.create({ login: 'auditor', role: 'auditor', password: PASSWORDS.auditor }, by);
    adminSecret = admin.totpUri ? secretOf(admin.totpUri) : '';
  }
  const app = await buildConsole({
    relais: { store }, security, log: silentLogger, now: clock.now, version: '9.9.9-test',
    ...(o.loginLimits ? { loginLimits: o.loginLimits } : {}),
  });
  await app.ready();
  return { app, security, clock, adminSecret, close: () => app.close() };
}

export interface LoggedIn {
  cookie: string;
  csrf: string;
  /** `relais_session=<token>` for a request's cookie header. */
  header: string;
}

/** The value of a cookie the response sets (not one it clears). */
export function cookieOf(res: LightMyRequestResponse, name: string): string | undefined {
  return res.cookies.find((c) => c.name === name && c.value !== '')?.value;
}

export function sessionCookieOf(res: LightMyRequestResponse): string | undefined {
  return cookieOf(res, 'relais_session');
}

/**
 * A browser's login by identity provider: the console's button, the provider's redirects (followed by
 * `followProviderRedirects` of testing/oidc-idp.ts), then the console's callback with the flow cookie.
 */
export async function oidcRound(app: FastifyInstance, idp: TestIdp, redirectUri: string) {
  const begin = await app.inject({ url: '/connexion/oidc' });
  const flow = begin.cookies.find((c) => c.name === 'relais_oidc_flow');
  if (begin.statusCode !== 303 || !flow) throw new Error(`the console did not start a login: ${begin.statusCode}`);
  const back = await followProviderRedirects(idp, String(begin.headers.location), redirectUri);
  const callback = await app.inject({ url: `${back.pathname}${back.search}`, cookies: { relais_oidc_flow: flow.value } });
  return { begin, flowCookie: flow, back, callback };
}

/** Logs in through POST /api/login; the admin gives a fresh TOTP code (the clock moves one step first). */
export async function loginAs(h: ConsoleHarness, role: AccountRole): Promise<LoggedIn> {
  let totp: string | undefined;
  if (role === 'admin') {
    h.clock.advance(30_000);
    totp = totpCode(h.adminSecret, h.clock.now());
  }
  const res = await h.app.inject({ method: 'POST', url: '/api/login', payload: { login: role, password: PASSWORDS[role], ...(totp ? { totp } : {}) } });
  if (res.statusCode !== 200) throw new Error(`login ${role}: ${res.statusCode} ${res.body}`);
  const cookie = sessionCookieOf(res)!;
  return { cookie, csrf: (res.json() as { csrfToken: string }).csrfToken, header: `relais_session=${cookie}` };
}

export interface Seeded {
  documentRowId: string;
  deliveries: Record<'dead' | 'held' | 'pending' | 'done', string>;
}

let seedCount = 0;

/** One document (patient name and title as given) with a DMP delivery in each of four states, an attempt, a trace and an inbound mail. */
export async function seedFlows(store: Store, o: { patientName?: string; title?: string; mailSubject?: string; ipp?: string; ins?: string } = {}): Promise<Seeded> {
  const name = o.patientName ?? 'DUPONT^JEAN';
  const controlId = `MSG${++seedCount}-${Date.now()}`;
  const raw = Buffer.from(`MSH|^~\\&|DPI|HOPITAL|RELAIS|HOPITAL|20261126101500||MDM^T02^MDM_T02|${controlId}|P|2.6\rPID|1||${o.ipp ?? 'IPP-0001'}^^^HOP^PI||${name}||19800101|M\rTXA|1|CR\r`);
  const { id: messageId } = await insertMessage(store.db, sampleMessage({ raw, controlId }));
  const { id: documentRowId } = await insertDocument(store.db, sampleDocument(messageId, {
    title: o.title ?? 'Lettre de liaison', ipp: o.ipp ?? 'IPP-0001', patientIns: o.ins ?? '279035121518989',
  }));
  await insertDeliveries(store.db, [
    { documentRowId, kind: 'dmp', state: 'dead', reason: 'RLS_DMP_REFUSED' },
    { documentRowId, kind: 'mss_ps', recipient: 'dr.martin@test.mssante.fr', state: 'held', reason: 'ins_not_qualified' },
    { documentRowId, kind: 'mss_patient', recipient: 'patient@patient.mssante.fr', state: 'pending' },
    { documentRowId, kind: 'dpi', state: 'done' },
  ]);
  const rows = await store.db.selectFrom('delivery').select(['id', 'state']).where('document_row_id', '=', documentRowId).execute();
  const id = (state: string) => rows.find((r) => r.state === state)!.id;
  const now = new Date();
  await recordAttempt(store.db, { deliveryId: id('dead'), startedAt: now, finishedAt: now, outcome: 'permanent', peerAnswer: '<soap:Fault>refus</soap:Fault>', errorCode: 'RLS_DMP_REFUSED' });
  const zamControlId = `Z${seedCount}`;
  const zam = await insertNotification(store.db, {
    messageId, kind: 'zam_z01', controlId: zamControlId,
    payload: Buffer.from(`MSH|^~\\&|RELAIS|HOPITAL|DPI|HOPITAL|20261126101600||ZAM^Z01^ZAM_Z01|${zamControlId}|P|2.6\rMSA|AA|${controlId}\r`),
  });
  // As the notification sender leaves it once the DPI acknowledged it.
  await store.db.updateTable('notification').where('id', '=', zam.id).set({
    state: 'done', attempt_count: 1, ack: Buffer.from(`MSH|^~\\&|DPI|HOPITAL|RELAIS|HOPITAL|20261126101601||ACK|A${zamControlId}|P|2.6\rMSA|AA|${zamControlId}\r`),
  }).execute();
  await insertMssTraces(store.db, [{ at: now, actor: 'relais@hopital.mssante.fr', protocol: 'smtp', action: 'MAIL FROM', request: 'MAIL FROM:<relais@hopital.mssante.fr>', response: '250 OK', ok: true, mailMessageId: '<m1@hopital>' }]);
  await recordInboundMail(store.db, {
    mailbox: 'relais@hopital.mssante.fr', uidValidity: '1', uid: Math.floor(Math.random() * 1e6), mailMessageId: `<in-${Date.now()}@labo>`, kind: 'other', state: 'ignored',
    raw: Buffer.from(`From: labo@labo.mssante.fr\r\nSubject: ${o.mailSubject ?? 'Résultats'}\r\nMessage-ID: <in@labo>\r\n\r\ncorps\r\n`), peer: 'labo@labo.mssante.fr',
  });
  return { documentRowId, deliveries: { dead: id('dead'), held: id('held'), pending: id('pending'), done: id('done') } };
}
