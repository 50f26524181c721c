/**
 * One IMAP session on an MSSanté mailbox (CONF.06, CONF.12; digest §A2, §A3): imapflow over a transport we
 * provide, so that the STARTTLS (or implicit TLS) handshake uses the profile options and the negotiated session
 * is checked (dropIfOutsideProfile) before AUTHENTICATE PLAIN with the BAL address. It exposes what the receipt
 * reader and the inbox need — open a folder and its UIDVALIDITY, fetch by UID range with a size cap, move (the
 * folder created if missing), add flags, wait for new mail (IDLE), logout — and traces every operation with the
 * commands sent and the server's answers (CONF.17/18), never a message body or a password.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ImapFlow } from 'imapflow';
import { isRelaisError, RelaisError, silentLogger } from '../../domain/index.js';
import type { Logger } from '../../domain/index.js';
import { dropIfOutsideProfile } from '../../pki/index.js';
import { actorOf, redactImapCommand, safeSink, type MssAction, type TraceSink } from './mss-trace.js';
import { checkLinkOptions, linkTlsOptions, trustStoreOf, type MssLinkOptions } from './secure-link.js';
import { tlsFailureOf } from './tls-failure.js';

export interface ImapSessionOptions extends MssLinkOptions {
  onTrace: TraceSink;
  log?: Logger;
  timeouts?: { connectMs?: number; socketMs?: number };
  /** Messages larger than this are listed but their source is not fetched (default 50 MB). */
  maxMessageBytes?: number;
}

export interface ImapFolderState {
  path: string;
  /** A new value means every UID seen before is void (RFC 3501 §2.3.1.1). */
  uidValidity: bigint;
  uidNext: number;
  exists: number;
}

export interface ImapMessage {
  uid: number;
  size: number;
  flags: string[];
  internalDate?: Date;
  messageId?: string;
  /** The whole message, absent when it exceeds the size cap (`tooLarge`). */
  source?: Buffer;
  tooLarge: boolean;
}

export interface ImapSession {
  readonly folder: ImapFolderState | undefined;
  /** False once the connection is gone (server restart, network, logout): open a new session then. */
  readonly usable: boolean;
  /** Settles when the connection closes, whoever closed it. */
  readonly closed: Promise<void>;
  /** SELECT a folder (INBOX by default) and read its UIDVALIDITY. */
  open(path?: string): Promise<ImapFolderState>;
  /**
   * Messages with UID ≥ fromUid in the open folder, oldest first: at most `limit`, and no more than
   * `maxTotalBytes` of sources in one call (default 100 MB; the first message always comes). Call again from
   * the next UID for the rest.
   */
  fetchFrom(fromUid: number, o?: { limit?: number; maxTotalBytes?: number }): Promise<ImapMessage[]>;
  /** Moves messages to a folder, creating it first when it does not exist. */
  move(uids: readonly number[], folder: string): Promise<void>;
  addFlags(uids: readonly number[], flags: readonly string[]): Promise<void>;
  /**
   * IDLE until the folder grows, the time is up or `signal` aborts; true when new mail arrived. An aborted wait
   * ends IDLE at once and leaves the session usable; logout() ends a running wait too.
   */
  waitForNew(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /**
   * LOGOUT, ending a running wait first; settles with the connection closed. Never waits longer than `timeoutMs`
   * (default 2 s) for the commands ahead of it and the server's answer: the socket is closed then. Idempotent.
   */
  logout(o?: { timeoutMs?: number }): Promise<void>;
}

/** How long a logout waits for a polite end before closing the socket. */
const IMAP_LOGOUT_BOUND_MS = 2_000;

interface LogLine { src: 'c' | 's'; msg: string }

const isContinuation = (line: string): boolean => !/\s/.test(line.trim()) && !/^\(\*/.test(line);

const actionOfCommand = (line: string): MssAction => {
  const verb = (line.split(/\s+/)[1] ?? '').toUpperCase();
  const sub = (line.split(/\s+/)[2] ?? '').toUpperCase();
  if (verb === 'STARTTLS') return 'starttls';
  if (verb === 'AUTHENTICATE' || verb === 'LOGIN') return 'auth';
  if (verb === 'LOGOUT') return 'logout';
  if (verb === 'SELECT' || verb === 'EXAMINE') return 'select';
  if (verb === 'IDLE') return 'idle';
  if (verb === 'CREATE') return 'create';
  if (verb === 'UID' && sub === 'MOVE') return 'move';
  if (verb === 'UID' && sub === 'STORE') return 'flag';
  if (verb === 'UID' && sub === 'FETCH') return 'fetch';
  if (verb === 'NOOP') return 'noop';
  return 'connect';
};

function imapError(e: unknown, what: string): RelaisError {
  if (isRelaisError(e) && e.code.startsWith('RLS_MSS_')) return e;
  const cause = (e as { cause?: unknown; _err?: unknown }).cause ?? (e as { _err?: unknown })._err;
  const tls = tlsFailureOf(e) ?? (cause ? tlsFailureOf(cause) : undefined);
  const message = (e as Error).message ?? String(e);
  if (tls) return new RelaisError('RLS_MSS_TLS', `TLS with the IMAP server failed (${tls}): ${message}`, { reason: tls, operation: what }, { cause: e });
  const x = e as { authenticationFailed?: boolean; code?: string; responseText?: string; serverResponseCode?: string };
  if (x.authenticationFailed) return new RelaisError('RLS_MSS_AUTH', `AUTHENTICATE PLAIN refused: ${x.responseText ?? message}`, { reason: 'auth_failed', operation: what }, { cause: e });
  if (x.code === 'CONNECT_TIMEOUT' || x.code === 'GREETING_TIMEOUT' || x.code === 'UPGRADE_TIMEOUT' || x.code === 'ETIMEOUT' || x.code === 'ETIMEDOUT') {
    return new RelaisError('RLS_MSS_TIMEOUT', `IMAP ${what}: ${message}`, { reason: 'timeout', operation: what, code: x.code }, { cause: e });
  }
  if (x.code === 'NoConnection' || x.code === 'ECONNREFUSED' || x.code === 'ECONNRESET' || x.code === 'EPIPE' || x.code === 'ClosedAfterConnectText' || x.code === 'ClosedAfterConnectTLS') {
    return new RelaisError('RLS_MSS_UNAVAILABLE', `IMAP ${what}: ${message}`, { reason: 'network', operation: what, code: x.code }, { cause: e });
  }
  return new RelaisError('RLS_MSS_IMAP', `IMAP ${what} failed: ${x.responseText ?? message}`, { reason: 'command', operation: what, code: x.code, serverResponseCode: x.serverResponseCode }, { cause: e });
}

/** imapflow's transport hook: our sockets, our handshake, the profile check before any IMAP command over TLS. */
function profileTransport(tls: ConnectionOptions, allowTls13: boolean | undefined, onRefused: (e: RelaisError) => void) {
  const checked = (socket: TLSSocket, then: () => void): void => {
    const outside = dropIfOutsideProfile(socket, allowTls13 === undefined ? {} : { allowTls13 });
    if (outside) {
      onRefused(outside);
      socket.destroy(outside);
      return;
    }
    then();
  };
  return {
    connect(options: { host: string; port: number; secure: boolean }, onConnect: () => void) {
      if (!options.secure) return netConnect({ host: options.host, port: options.port }, onConnect);
      const socket: TLSSocket = tlsConnect({ ...tls, host: options.host, port: options.port }, () => checked(socket, onConnect));
      return socket;
    },
    upgrade(plain: unknown, _options: unknown, onSecure: () => void) {
      const socket: TLSSocket = tlsConnect({ ...tls, socket: plain as never }, () => checked(socket, onSecure));
      return socket;
    },
  };
}

export async function createImapSession(o: ImapSessionOptions): Promise<ImapSession> {
  checkLinkOptions(o);
  const log = (o.log ?? silentLogger).child({ component: 'mss-imap', host: o.host, bal: o.bal.address });
  if (!o.crl) log.warn({}, 'no CRL source configured: revocation of the operator certificate is not checked');
  const actor = actorOf(o.bal.address, o.person);
  const trace = safeSink(o.onTrace, (e) => log.error({ err: (e as Error).message }, 'trace sink failed'));
  const maxBytes = o.maxMessageBytes ?? 50 * 1024 * 1024;
  const request = `connect ${o.host}:${o.port}${o.tlsMode === 'implicit' ? ' (implicit TLS)' : ''}`;
  let lines: LogLine[] = [];
  const record = (src: 'c' | 's', msg: unknown): void => {
    if (typeof msg !== 'string' || lines.length > 500) return;
    // A client line that is a lone token is a SASL response (AUTHENTICATE continuation): never kept.
    const text = src === 'c' ? (isContinuation(msg) ? '[SASL response redacted]' : redactImapCommand(msg)) : msg;
    lines.push({ src, msg: text });
  };
  const onLog = (entry: { src?: string; msg?: unknown }): void => {
    if (entry.src === 'c' || entry.src === 's') record(entry.src, entry.msg);
  };
  // FETCH responses (bodies) are logged by imapflow at trace level: never listened to.
  const imapLogger = { debug: onLog, info: onLog, warn: onLog, error: onLog, trace: () => undefined };
  const emit = (action: MssAction, taken: LogLine[], started: number, ok: boolean, note?: string, messageId?: string): void => {
    trace({
      at: new Date(started), actor, protocol: 'imap', action,
      request: taken.filter((l) => l.src === 'c').map((l) => l.msg).join('\n') || (action === 'connect' ? request : ''),
      response: [...taken.filter((l) => l.src === 's').map((l) => l.msg), ...(note ? [note] : [])].join('\n'),
      ok, durationMs: Date.now() - started, ...(messageId ? { messageId } : {}),
      ...(!ok && note ? { failure: note.split(':', 1)[0]! } : {}),
    });
  };
  const take = (): LogLine[] => {
    const t = lines;
    lines = [];
    return t;
  };

  const started = Date.now();
  let tls: ConnectionOptions;
  try {
    tls = await linkTlsOptions(o, trustStoreOf(o));
  } catch (e) {
    const err = imapError(e, 'connect');
    const reason = String(err.details['reason'] ?? tlsFailureOf(e) ?? 'refused');
    trace({ at: new Date(started), actor, protocol: 'imap', action: 'connect', request, response: `not attempted: ${err.message}`, ok: false, failure: reason, durationMs: Date.now() - started });
    throw isRelaisError(e) && !e.code.startsWith('RLS_MSS_') ? new RelaisError('RLS_MSS_TLS', err.message, { ...e.details, reason }, { cause: e }) : err;
  }
  let refused: RelaisError | undefined;
  const client = new ImapFlow({
    host: o.host, port: o.port, secure: o.tlsMode === 'implicit', doSTARTTLS: o.tlsMode === 'starttls' ? true : undefined,
    ...(tls.servername ? { servername: tls.servername } : {}),
    auth: { user: o.bal.address, pass: o.bal.password, loginMethod: 'AUTH=PLAIN' },
    transport: profileTransport(tls, o.allowTls13, (e) => { refused = e; }) as never,
    logger: imapLogger as never,
    disableAutoIdle: true, disableCompression: true, emitLogs: false,
    connectionTimeout: o.timeouts?.connectMs ?? 15_000, greetingTimeout: o.timeouts?.connectMs ?? 15_000,
    socketTimeout: o.timeouts?.socketMs ?? 300_000,
  } as ConstructorParameters<typeof ImapFlow>[0]);
  client.on('error', (e: Error) => log.warn({ err: e.message }, 'IMAP connection error'));
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));

  try {
    await client.connect();
  } catch (e) {
    const err = imapError(refused ?? e, 'connect');
    const connectLines = take();
    // Split the setup into connect / starttls / auth traces by the command that failed or succeeded.
    const groups = groupByCommand(connectLines);
    const failedAction = groups.at(-1)?.action ?? 'connect';
    for (const g of groups.slice(0, -1)) emit(g.action, g.lines, started, true);
    emit(failedAction, groups.at(-1)?.lines ?? [], started, false, `${String(err.details['reason'] ?? 'refused')}: ${err.message}`);
    client.close();
    throw err;
  }
  for (const g of groupByCommand(take())) emit(g.action, g.lines, started, true);

  let folder: ImapFolderState | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const run = <T>(action: MssAction, what: string, fn: () => Promise<T>, messageId?: string): Promise<T> => {
    const next = queue.then(async () => {
      take();
      const t0 = Date.now();
      try {
        const result = await fn();
        emit(action, take(), t0, true, undefined, messageId);
        return result;
      } catch (e) {
        const err = imapError(e, what);
        emit(action, take(), t0, false, `${String(err.details['reason'] ?? 'command')}: ${err.message}`, messageId);
        throw err;
      }
    });
    queue = next.catch(() => undefined);
    return next;
  };
  // Set by logout(): a wait in progress ends at once, and no new one starts.
  let leaving = false;
  let endWait: (() => void) | undefined;
  let loggingOut: Promise<void> | undefined;
  const knownFolders = new Set<string>(['INBOX']);
  const requireFolder = (): ImapFolderState => {
    if (!folder) throw new RelaisError('RLS_BUG', 'no IMAP folder is open');
    return folder;
  };

  return {
    get folder() { return folder; },
    get usable() { return client.usable; },
    closed,
    open(path = 'INBOX') {
      return run('select', `SELECT ${path}`, async () => {
        const m = await client.mailboxOpen(path);
        folder = { path: m.path, uidValidity: BigInt(m.uidValidity), uidNext: Number(m.uidNext), exists: Number(m.exists) };
        knownFolders.add(m.path);
        return folder;
      });
    },
    fetchFrom(fromUid, x = {}) {
      return run('fetch', 'UID FETCH', async () => {
        requireFolder();
        const listed = await client.fetchAll(`${Math.max(1, fromUid)}:*`, { uid: true, size: true, flags: true, internalDate: true, envelope: true }, { uid: true });
        const budget = x.maxTotalBytes ?? 100 * 1024 * 1024;
        let total = 0;
        const wanted = listed.filter((m) => m.uid >= fromUid).sort((a, b) => a.uid - b.uid).slice(0, x.limit ?? Number.MAX_SAFE_INTEGER)
          .filter((m, i) => {
            const size = (m.size ?? 0) <= maxBytes ? m.size ?? 0 : 0;
            total += size;
            return i === 0 || total <= budget;
          });
        // `total` only grows: once over budget every later message waits for the next call, so UIDs have no gap.
        const small = wanted.filter((m) => (m.size ?? 0) <= maxBytes).map((m) => m.uid);
        const sources = new Map<number, Buffer>();
        if (small.length > 0) {
          for (const m of await client.fetchAll(small.join(','), { uid: true, source: true }, { uid: true })) {
            if (m.source) sources.set(m.uid, m.source);
          }
        }
        return wanted.map((m): ImapMessage => {
          const source = sources.get(m.uid);
          const internalDate = m.internalDate instanceof Date ? m.internalDate : m.internalDate ? new Date(m.internalDate) : undefined;
          return {
            uid: m.uid, size: m.size ?? 0, flags: [...(m.flags ?? [])], tooLarge: (m.size ?? 0) > maxBytes,
            ...(internalDate ? { internalDate } : {}),
            ...(m.envelope?.messageId ? { messageId: m.envelope.messageId } : {}),
            ...(source ? { source } : {}),
          };
        });
      });
    },
    move(uids, target) {
      return run('move', `UID MOVE ${target}`, async () => {
        requireFolder();
        if (uids.length === 0) return;
        if (!knownFolders.has(target)) {
          const existing = await client.list();
          if (!existing.some((f) => f.path === target)) await client.mailboxCreate(target);
          knownFolders.add(target);
        }
        const r = await client.messageMove(uids.join(','), target, { uid: true });
        if (r === false) throw new RelaisError('RLS_MSS_IMAP', `UID MOVE to ${target} failed`, { reason: 'command', operation: 'move' });
        if (folder) folder = { ...folder, exists: Math.max(0, folder.exists - uids.length) };
      });
    },
    addFlags(uids, flags) {
      return run('flag', 'UID STORE', async () => {
        requireFolder();
        if (uids.length === 0) return;
        const ok = await client.messageFlagsAdd(uids.join(','), [...flags], { uid: true });
        if (!ok) throw new RelaisError('RLS_MSS_IMAP', 'UID STORE +FLAGS failed', { reason: 'command', operation: 'flag' });
      });
    },
    waitForNew(timeoutMs, signal) {
      return run('idle', 'IDLE', async () => {
        const f = requireFolder();
        const before = f.exists;
        // Stopping or woken before IDLE began: nothing to wait for (and no IDLE for the LOGOUT to break).
        if (leaving || signal?.aborted) return false;
        let grown = false;
        await new Promise<void>((resolve) => {
          const onExists = (d: { count: number }): void => {
            if (d.count > before) grown = true;
            done();
          };
          const timer = setTimeout(() => done(), timeoutMs);
          const done = (): void => {
            clearTimeout(timer);
            client.off('exists', onExists);
            signal?.removeEventListener('abort', done);
            if (endWait === done) endWait = undefined;
            resolve();
          };
          endWait = done;
          client.on('exists', onExists);
          signal?.addEventListener('abort', done, { once: true });
          client.idle().catch(() => done());
        });
        // The LOGOUT that ended the wait breaks IDLE itself (imapflow sends DONE before the next command).
        if (leaving) return grown;
        // Any command ends IDLE (DONE); NOOP also collects what arrived meanwhile.
        await client.noop();
        const exists = typeof client.mailbox === 'object' ? Number(client.mailbox.exists) : before;
        folder = { ...f, exists };
        return grown || exists > before;
      });
    },
    logout(x = {}) {
      loggingOut ??= (async () => {
        leaving = true;
        endWait?.();
        let forced = false;
        const polite = run('logout', 'LOGOUT', async () => {
          await client.logout();
          // imapflow counts a socket closed under a pending LOGOUT as logged out: the trace says what happened.
          if (forced) throw new RelaisError('RLS_MSS_TIMEOUT', 'no answer to LOGOUT in time: connection closed', { reason: 'timeout', operation: 'logout' });
        }).catch(() => undefined);
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<'bound'>((resolve) => { timer = setTimeout(() => resolve('bound'), x.timeoutMs ?? IMAP_LOGOUT_BOUND_MS); });
        const first = await Promise.race([polite, bound]);
        clearTimeout(timer);
        if (first === 'bound') {
          forced = true;
          log.warn({ boundMs: x.timeoutMs ?? IMAP_LOGOUT_BOUND_MS }, 'IMAP logout not answered in time: closing the connection');
        }
        // Idempotent after a polite LOGOUT (imapflow has closed the socket); otherwise it rejects what is pending.
        // Synchronous: the session is unusable from here, the forced LOGOUT's trace follows on its own.
        client.close();
      })();
      return loggingOut;
    },
  };
}

/** Splits the setup transcript (greeting, CAPABILITY, STARTTLS, AUTHENTICATE…) into one group per action. */
function groupByCommand(all: readonly LogLine[]): { action: MssAction; lines: LogLine[] }[] {
  const groups: { action: MssAction; lines: LogLine[] }[] = [];
  for (const l of all) {
    const action = l.src === 'c' && l.msg !== '[SASL response redacted]' ? actionOfCommand(l.msg) : undefined;
    const last = groups.at(-1);
    if (!last || (action !== undefined && action !== last.action)) groups.push({ action: action ?? 'connect', lines: [l] });
    else last.lines.push(l);
  }
  return groups;
}
