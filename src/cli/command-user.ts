/**
 * `relais user add | list | unlock | disable | enable | totp | link | unlink` and `relais audit export`: console
 * accounts and the audit trail from the command line (the console calls the same security core). Every
 * change is recorded in the audit trail with the actor `system`.
 *
 * On the embedded store these commands need the data directory to themselves: while `relais start` holds
 * it they refuse (stop the node, or use PostgreSQL), and while they run they hold its lock.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { RelaisConfig } from '../config/index.js';
import { accountRoles, isRelaisError } from '../domain/index.js';
import type { AccountRole } from '../domain/index.js';
import { checkPasswordRules, createSecurity, normalizeLogin } from '../security/index.js';
import type { Account, Security } from '../security/index.js';
import { openStore } from '../store/index.js';
import { configFromOptions } from './command-start.js';
import { readLock, takeLock } from './data-lock.js';

export interface StoreCommandOptions { config?: string; data?: string; json?: boolean }
export interface UserAddOptions extends StoreCommandOptions { role: string; passwordStdin?: boolean; mustChange?: boolean; oidcId?: string }
export interface AuditExportOptions extends StoreCommandOptions { format?: string; since?: string; until?: string; out?: string }

const CLI = { actor: 'system' } as const;

/** Opens the store with the security core, runs `fn`, closes; RelaisErrors become a message and exit code 1. */
async function withSecurity(o: StoreCommandOptions, fn: (security: Security, config: RelaisConfig) => Promise<number>): Promise<number> {
  const config = configFromOptions(o);
  let unlock = () => {};
  try {
    if (!config.store.databaseUrl) {
      const dataDir = resolve(config.store.dataDir);
      const holder = readLock(dataDir);
      if (holder) {
        process.stderr.write(`The data directory ${dataDir} is in use by Relais process ${holder.pid}: stop it first (accounts cannot be managed through a running embedded node yet), or use PostgreSQL (DATABASE_URL).\n`);
        return 1;
      }
      unlock = takeLock(dataDir, { pid: process.pid, adminPort: 0, token: randomBytes(16).toString('hex') });
    }
    const store = await openStore(config.store.databaseUrl
      ? { databaseUrl: config.store.databaseUrl, schema: config.store.schema }
      : { dataDir: config.store.dataDir });
    try {
      return await fn(createSecurity({ db: store.db, settings: config.security }), config);
    } finally {
      await store.close();
    }
  } catch (e) {
    if (!isRelaisError(e)) throw e;
    process.stderr.write(`${e.code}: ${e.message}\n`);
    return 1;
  } finally {
    unlock();
  }
}

/** The whole of stdin minus one final line break: `printf '%s' "$pw"` and `echo "$pw"` give the same password. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function parseRole(role: string): AccountRole | undefined {
  return (accountRoles as readonly string[]).includes(role) ? (role as AccountRole) : undefined;
}

export async function runUserAdd(login: string, o: UserAddOptions): Promise<number> {
  const role = parseRole(o.role);
  if (!role) {
    process.stderr.write(`Unknown role ${o.role}: choose ${accountRoles.join(', ')}.\n`);
    return 2;
  }
  if (!o.passwordStdin && o.oidcId === undefined) {
    process.stderr.write('Give the password on standard input with --password-stdin (never on the command line, where ps and shell history would keep it),\n'
      + 'or --oidc-id <identity> for an account that signs in through the identity provider only.\n');
    return 2;
  }
  const password = o.passwordStdin ? await readPasswordFromStdin() : undefined;
  return withSecurity(o, async (security) => {
    const refusals = password !== undefined ? checkPasswordRules(password, security.settings.password, { login: normalizeLogin(login) }) : [];
    if (refusals.length > 0) {
      process.stderr.write(`Mot de passe refusé par la politique :\n${refusals.map((r) => `  - ${r.label}\n`).join('')}`);
    }
    // create() checks the same rules again, records the refusal in the audit trail and throws RLS_PASSWORD_POLICY.
    let created: Awaited<ReturnType<Security['accounts']['create']>>;
    try {
      created = await security.accounts.create({
        login, role, ...(password !== undefined ? { password } : {}), ...(o.oidcId !== undefined ? { oidcId: o.oidcId } : {}),
        mustChangePassword: o.mustChange ?? false,
      }, CLI);
    } catch (e) {
      if (refusals.length > 0 && isRelaisError(e) && e.code === 'RLS_PASSWORD_POLICY') return 1; // already explained above
      throw e;
    }
    if (o.json) {
      process.stdout.write(JSON.stringify({ account: created.account, ...(created.totpUri ? { totpUri: created.totpUri } : {}) }) + '\n');
    } else {
      process.stdout.write(`Compte ${created.account.login} créé (rôle ${created.account.role}`
        + `${created.account.oidcId !== null ? `, identité ${created.account.oidcId} chez le fournisseur d’identité` : ''}`
        + `${created.account.hasPassword ? '' : ', sans mot de passe local'}).\n`);
      if (created.totpUri) {
        process.stdout.write('Second facteur requis : ajoutez ce compte à une application d’authentification (TOTP) avec cette adresse,\n'
          + 'puis connectez-vous avec un code pour confirmer l’enrôlement :\n' + created.totpUri + '\n');
      }
    }
    return 0;
  });
}

function accountLine(a: Account): Record<string, string> {
  const state = a.disabledAt ? 'désactivé' : a.lockedAt ? 'verrouillé' : 'actif';
  return {
    login: a.login, role: a.role, state, password: a.hasPassword ? 'oui' : 'non', oidcId: a.oidcId ?? '',
    totp: !a.hasPassword ? '—' : a.totpEnrolled ? 'oui' : a.totpRequired ? 'à enrôler' : 'non',
    mustChangePassword: a.mustChangePassword ? 'oui' : 'non', lastLoginAt: a.lastLoginAt?.toISOString() ?? '',
  };
}

export function runUserList(o: StoreCommandOptions): Promise<number> {
  return withSecurity(o, async (security) => {
    const accounts = await security.accounts.list();
    if (o.json) {
      process.stdout.write(JSON.stringify(accounts, null, 2) + '\n');
      return 0;
    }
    if (accounts.length === 0) {
      process.stdout.write('(none)\n');
      return 0;
    }
    const rows = accounts.map(accountLine);
    const columns = Object.keys(rows[0]!);
    const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n';
    process.stdout.write(line(columns) + rows.map((r) => line(columns.map((c) => r[c]!))).join(''));
    return 0;
  });
}

type AdminOrder = 'unlock' | 'disable' | 'enable';
const done: Record<AdminOrder, string> = { unlock: 'déverrouillé', disable: 'désactivé', enable: 'réactivé' };

export function runUserOrder(order: AdminOrder, login: string, o: StoreCommandOptions): Promise<number> {
  return withSecurity(o, async (security) => {
    const a = await security.accounts[order](login, CLI);
    process.stdout.write(o.json ? JSON.stringify(a) + '\n' : `Compte ${a.login} ${done[order]}.\n`);
    return 0;
  });
}

/** A new TOTP secret for the account (first enrolment, or a lost phone): the previous one stops working. */
export function runUserTotp(login: string, o: StoreCommandOptions): Promise<number> {
  return withSecurity(o, async (security) => {
    const { account, uri } = await security.accounts.beginTotpEnrolment(login, CLI);
    process.stdout.write(o.json ? JSON.stringify({ login: account.login, totpUri: uri }) + '\n'
      : `Nouveau secret TOTP pour ${account.login} (l’ancien ne fonctionne plus) ; confirmé à la première connexion avec un code :\n${uri}\n`);
    return 0;
  });
}

/** Links the account to an identity of the provider (e.g. an RPPS number), or unlinks it (null). */
export function runUserLink(login: string, oidcId: string | null, o: StoreCommandOptions): Promise<number> {
  return withSecurity(o, async (security) => {
    const a = await security.accounts.linkIdentity(login, oidcId, CLI);
    process.stdout.write(o.json ? JSON.stringify(a) + '\n'
      : a.oidcId !== null ? `Compte ${a.login} rattaché à l’identité ${a.oidcId} ; ses sessions sont fermées.\n`
        : `Compte ${a.login} détaché du fournisseur d’identité ; ses sessions sont fermées.\n`);
    return 0;
  });
}

function parseDate(v: string | undefined): Date | undefined | 'invalid' {
  if (v === undefined) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(v) ? 'invalid' : d;
}

export async function runAuditExport(o: AuditExportOptions): Promise<number> {
  const format = o.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') {
    process.stderr.write(`Unknown format ${format}: choose csv or jsonl.\n`);
    return 2;
  }
  const since = parseDate(o.since);
  const until = parseDate(o.until);
  if (since === 'invalid' || until === 'invalid') {
    process.stderr.write('Give --since and --until as ISO dates, e.g. 2026-01-01 or 2026-01-01T08:00:00Z.\n');
    return 2;
  }
  return withSecurity(o, async (security) => {
    const out: Writable = o.out ? createWriteStream(o.out, { mode: 0o600 }) : process.stdout;
    for await (const chunk of security.exportAudit(format, { ...(since ? { since } : {}), ...(until ? { until } : {}) })) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (o.out) {
      out.end();
      await once(out, 'finish');
    }
    return 0;
  });
}
