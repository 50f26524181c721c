/**
 * An MSSanté operator stand-in built from the real Debian Postfix and Dovecot, run as private instances from a
 * data directory on free loopback ports: SMTP submission with STARTTLS, a client certificate from the test
 * chain and SASL PLAIN; LMTP delivery into Dovecot; IMAP with STARTTLS and a client certificate (digest §A2, §A3).
 * Nothing is read from or written to /etc/postfix or /etc/dovecot.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { RelaisError } from '../../domain/index.js';
import { ffdhe2048Pem, weakDh1024Pem } from './dh-params.js';
import { dovecotConf, dovecotUsers } from './dovecot-config.js';
import { defaultMailboxes, domainsOf, resolveMailboxes, type MailboxRole, type MailboxSpec, type MssMailbox } from './mailboxes.js';
import { postfixMainCf, postfixMasterCf, recipientMap, senderLoginMap } from './postfix-config.js';

export interface MssSandboxOptions {
  /** A directory written by `relais pki test-init` / `writeTestChain`: root-ca.pem, org-ca.pem, server.pem, server.key. */
  pkiDir: string;
  /** Where the instances keep their configuration, queue, logs and mailboxes. Created if missing. */
  dataDir: string;
  /** Default: `defaultMailboxes()`. Any other recipient in the sandbox domains bounces. */
  mailboxes?: readonly MailboxSpec[];
  /** Postfix message_size_limit in bytes; default 20 MB. */
  messageSizeLimit?: number;
  /** Refuse unknown recipients at RCPT TO (an immediate 5xx) instead of accepting and returning a DSN. */
  rejectUnknownAtRcpt?: boolean;
  /** Offer only DHE-RSA-AES128-GCM-SHA256 with a 1024-bit group over TLS 1.2: a client with the profile must refuse. */
  weak?: boolean;
  /** Serve this certificate (with its chain) instead of the test chain's server.pem — e.g. one from another chain. */
  serverCredential?: { certPem: string; keyPem: string };
  /** Progress lines (start, ports, stop). */
  log?: (line: string) => void;
  /** Default 15 s. */
  startTimeoutMs?: number;
}

export interface MssSandbox {
  smtpHost: string;
  smtpPort: number;
  imapHost: string;
  imapPort: number;
  mailboxes: readonly MssMailbox[];
  domains: readonly string[];
  dataDir: string;
  /** Trusted CA bundle for the clients (root then Organisations CA). */
  caFile: string;
  /** Milliseconds from the call to both services answering. */
  startupMs: number;
  /** The first mailbox with this role. */
  mailbox(role: MailboxRole): MssMailbox;
  /** Raw messages delivered into a mailbox's INBOX, read from its Maildir on disk, oldest first. */
  deliveredTo(address: string): Buffer[];
  /** The Postfix and Dovecot logs so far. */
  logs(): { postfix: string; dovecot: string };
  /** Stops both daemons and waits for them to exit. */
  stop(): Promise<void>;
}

/** Startup failure: the packages are missing, the process lacks root, or a daemon would not start. */
export class MssSandboxError extends RelaisError {
  constructor(message: string) {
    super('RLS_SANDBOX_UNAVAILABLE', message);
  }
}

export const installHint = 'install postfix dovecot-imapd dovecot-lmtpd (Debian/Ubuntu: apt-get install postfix dovecot-imapd dovecot-lmtpd)';

interface Binaries { postfix: string; master: string; dovecot: string }

function findBinaries(): Binaries | string {
  const postfix = ['/usr/sbin/postfix', '/usr/local/sbin/postfix'].find((p) => existsSync(p));
  const dovecot = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => existsSync(p));
  if (!postfix || !dovecot) return `${!postfix ? 'postfix' : 'dovecot'} is not installed: ${installHint}`;
  const daemonDir = spawnSync('postconf', ['-dh', 'daemon_directory'], { encoding: 'utf8' }).stdout?.trim() || '/usr/lib/postfix/sbin';
  const master = join(daemonDir, 'master');
  if (!existsSync(master)) return `the Postfix master daemon is missing (${master}): ${installHint}`;
  const lmtp = ['/usr/lib/dovecot/lmtp', '/usr/libexec/dovecot/lmtp'].some((p) => existsSync(p));
  if (!lmtp) return `Dovecot's LMTP server is missing: ${installHint}`;
  return { postfix, master, dovecot };
}

/** Why the sandbox cannot start here, or undefined when it can (for tests that skip). */
export function mssSandboxUnavailable(): string | undefined {
  const b = findBinaries();
  if (typeof b === 'string') return b;
  if (process.getuid?.() !== 0) return 'the MSSanté sandbox runs a Postfix master, which needs root';
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** Resolves once something answers a greeting on the port. */
function greets(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => { socket.destroy(); done(ok); };
    socket.setTimeout(1000, () => finish(false));
    socket.once('data', (d) => finish(/^(220|\* OK)/.test(d.toString('latin1'))));
    socket.once('error', () => finish(false));
  });
}

/** The numeric id of a system user or group, from getent. */
function systemId(db: 'passwd' | 'group', name: string, field = 2): number | undefined {
  const r = spawnSync('getent', [db, name], { encoding: 'utf8' });
  const id = Number(r.status === 0 ? r.stdout.trim().split(':')[field] : NaN);
  return Number.isInteger(id) ? id : undefined;
}

function mailUser(): { uid: number; gid: number } {
  // Dovecot refuses mail access as root: the mailboxes belong to the system "mail" user when there is one.
  const uid = systemId('passwd', 'mail');
  const gid = systemId('passwd', 'mail', 3);
  return uid !== undefined && uid > 0 && gid !== undefined && gid > 0 ? { uid, gid } : { uid: 65534, gid: 65534 };
}

/**
 * Runs a daemon in the foreground under a shell that stops it when our end of its stdin closes: a test process
 * that dies without calling stop() (killed, crashed) leaves no Postfix or Dovecot behind. SIGTERM is passed on.
 */
const watchdog = `exec 3<&0
"$@" </dev/null &
daemon=$!
(cat <&3 >/dev/null; kill -TERM $daemon 2>/dev/null) &
exec 3<&-
trap 'kill -TERM $daemon 2>/dev/null' TERM INT
while kill -0 $daemon 2>/dev/null; do wait $daemon; done`;

function exitOf(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  // Closing stdin also ends the watchdog's reader.
  child.stdin?.destroy();
  const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exitOf(child);
  clearTimeout(killed);
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * The queue directories as /etc/postfix/postfix-files lays them out, made here because `postfix check`, which
 * would make them, costs seconds.
 */
function createQueue(queueDir: string, postfixUid: number): void {
  const postdrop = systemId('group', 'postdrop') ?? 0;
  const layout: [string, number, number, number][] = [
    ...['active', 'bounce', 'corrupt', 'defer', 'deferred', 'flush', 'hold', 'incoming', 'private', 'saved', 'trace']
      .map((name): [string, number, number, number] => [name, postfixUid, 0, 0o700]),
    ['maildrop', postfixUid, postdrop, 0o730],
    ['public', postfixUid, postdrop, 0o710],
    ['pid', 0, 0, 0o755],
  ];
  for (const [name, uid, gid, mode] of layout) {
    const path = join(queueDir, name);
    mkdirSync(path, { recursive: true });
    chownSync(path, uid, gid);
    chmodSync(path, mode);
  }
}

/** Starts Postfix and Dovecot for the sandbox; retries with other ports when one was taken meanwhile. */
export async function startMssSandbox(o: MssSandboxOptions): Promise<MssSandbox> {
  const started = performance.now();
  const binaries = findBinaries();
  if (typeof binaries === 'string') throw new MssSandboxError(binaries);
  if (process.getuid?.() !== 0) throw new MssSandboxError('the MSSanté sandbox runs a Postfix master, which needs root (CI runs as root)');
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(o, binaries, started);
    } catch (e) {
      lastError = e;
      if (!(e instanceof PortTaken)) throw e;
      o.log?.(`port taken, retrying: ${e.message}`);
    }
  }
  throw lastError;
}

class PortTaken extends MssSandboxError {}

async function startOnce(o: MssSandboxOptions, bin: Binaries, started: number): Promise<MssSandbox> {
  const dataDir = resolve(o.dataDir);
  const pkiDir = resolve(o.pkiDir);
  const mailboxes = resolveMailboxes(o.mailboxes ?? defaultMailboxes());
  const domains = domainsOf(mailboxes);
  const weak = o.weak === true;
  const { uid: mailUid, gid: mailGid } = mailUser();

  const dir = (...p: string[]) => {
    const path = join(dataDir, ...p);
    mkdirSync(path, { recursive: true });
    return path;
  };
  dir();
  // Postfix's and Dovecot's unprivileged processes open paths under the data directory.
  chmodSync(dataDir, statSync(dataDir).mode | 0o711);
  for (let d = dirname(dataDir); d !== dirname(d); d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) throw new MssSandboxError(`${d} must be searchable by other users (chmod o+x) for the mail daemons`);
  }
  const tlsDir = dir('tls');
  const read = (name: string) => {
    const path = join(pkiDir, name);
    if (!existsSync(path)) throw new MssSandboxError(`${path} is missing (write a test chain with: relais pki test-init ${pkiDir})`);
    return readFileSync(path, 'utf8');
  };
  const caBundle = read('root-ca.pem') + read('org-ca.pem');
  const server = o.serverCredential ?? { certPem: read('server.pem'), keyPem: read('server.key') };
  const certFile = join(tlsDir, 'server.pem');
  const keyFile = join(tlsDir, 'server.key');
  const caFile = join(tlsDir, 'ca.pem');
  const dhFile = join(tlsDir, weak ? 'dh1024.pem' : 'dh2048.pem');
  writeFileSync(certFile, server.certPem);
  writeFileSync(keyFile, server.keyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(caFile, caBundle);
  writeFileSync(dhFile, weak ? weakDh1024Pem : ffdhe2048Pem);

  const mailRoot = dir('mail');
  for (const m of mailboxes) {
    const [local, domain] = m.address.split('@') as [string, string];
    const home = join(mailRoot, domain, local);
    mkdirSync(home, { recursive: true });
    chownSync(join(mailRoot, domain), mailUid, mailGid);
    chownSync(home, mailUid, mailGid);
  }
  chownSync(mailRoot, mailUid, mailGid);

  const [smtpPort, imapPort] = [await freePort(), await freePort()] as [number, number];

  const dovecotDir = dir('dovecot');
  const baseDir = dir('dovecot', 'run');
  const usersFile = join(dovecotDir, 'users');
  const users = dovecotUsers(mailboxes, { mailRoot, mailUid, mailGid });
  // users: mail delivery (userdb); users.smtp: Postfix's SASL; users.imapvalid: IMAP with a valid client certificate.
  for (const [file, text] of [['users', users], ['users.smtp', users], ['users.imapvalid', users], ['users.imap', '']] as const) {
    const path = join(dovecotDir, file);
    writeFileSync(path, text, { mode: 0o640 });
    // Read by Dovecot's auth worker, which runs as the dovecot user.
    chownSync(path, 0, systemId('group', 'dovecot') ?? 0);
    chmodSync(path, 0o640);
  }
  const dovecotLog = join(dovecotDir, 'dovecot.log');
  const dovecotConfFile = join(dovecotDir, 'dovecot.conf');
  writeFileSync(dovecotConfFile, dovecotConf({
    instanceName: `relais-mss-${randomBytes(4).toString('hex')}`, baseDir, stateDir: dir('dovecot', 'state'), logFile: dovecotLog,
    imapPort, certFile, keyFile, caFile, dhFile, usersFile, mailRoot, mailUid, mailGid,
    lmtpSocketName: 'lmtp', saslSocketName: 'auth-postfix', weak,
  }));

  const configDir = dir('postfix', 'conf');
  const postfixLog = join(dataDir, 'postfix', 'maillog');
  const postfixUid = systemId('passwd', 'postfix');
  if (postfixUid === undefined) throw new MssSandboxError(`there is no postfix user: ${installHint}`);
  const queueDir = dir('postfix', 'queue');
  const postfixDataDir = dir('postfix', 'data');
  chownSync(postfixDataDir, postfixUid, 0);
  const senderMap = join(configDir, 'sender-logins');
  const recipients = join(configDir, 'recipients');
  writeFileSync(senderMap, senderLoginMap(mailboxes));
  writeFileSync(recipients, recipientMap(mailboxes));
  writeFileSync(join(configDir, 'main.cf'), postfixMainCf({
    configDir, queueDir, dataDir: postfixDataDir, logFile: postfixLog, smtpPort,
    certFile, keyFile, caFile, dhFile, saslSocket: join(baseDir, 'auth-postfix'), lmtpSocket: join(baseDir, 'lmtp'),
    senderLoginMap: senderMap, recipientMap: recipients, domains, messageSizeLimit: o.messageSizeLimit ?? 20_000_000,
    rejectUnknownAtRcpt: o.rejectUnknownAtRcpt === true, weak,
  }));
  writeFileSync(join(configDir, 'master.cf'), postfixMasterCf({ smtpPort }));

  const env: NodeJS.ProcessEnv = { ...process.env, MAIL_CONFIG: configDir };
  if (weak) {
    // Dovecot 2.3 has no maximum protocol setting: OpenSSL's own configuration caps it at TLS 1.2, where the weak group applies.
    const opensslConf = join(tlsDir, 'openssl-weak.cnf');
    writeFileSync(opensslConf, 'openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = tls\n[tls]\nMaxProtocol = TLSv1.2\n');
    env.OPENSSL_CONF = opensslConf;
  }
  createQueue(queueDir, postfixUid);

  const children: ChildProcess[] = [];
  const launch = (cmd: string, args: string[]) => {
    const child = spawn('/bin/sh', ['-c', watchdog, 'relais-mss', cmd, ...args], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    children.push(child);
    return { child, stderr: () => stderr };
  };
  const stopAll = async () => { await Promise.all(children.map(stopChild)); };

  const dovecot = launch(bin.dovecot, ['-F', '-c', dovecotConfFile]);
  const master = launch(bin.master, ['-d', '-c', configDir]);

  const deadline = Date.now() + (o.startTimeoutMs ?? 15_000);
  const ready = { smtp: false, imap: false };
  while (!(ready.smtp && ready.imap)) {
    const died = [dovecot, master].find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    const logs = () => `${tail(readOr(postfixLog))}\n${tail(readOr(dovecotLog))}\n${dovecot.stderr()}${master.stderr()}`;
    if (died || Date.now() > deadline) {
      const text = logs();
      await stopAll();
      const what = died === dovecot ? 'dovecot exited' : died ? 'postfix master exited' : 'timed out waiting for postfix and dovecot';
      if (/address already in use/i.test(text)) throw new PortTaken(`${what}: a port was taken`);
      throw new MssSandboxError(`${what}:\n${text}`);
    }
    if (!ready.smtp) ready.smtp = await greets(smtpPort);
    if (!ready.imap) ready.imap = await greets(imapPort);
    if (!(ready.smtp && ready.imap)) await new Promise((r) => setTimeout(r, 50));
  }
  const startupMs = Math.round(performance.now() - started);
  o.log?.(`MSSanté sandbox: SMTP 127.0.0.1:${smtpPort}, IMAP 127.0.0.1:${imapPort}, started in ${startupMs} ms`);

  let stopping: Promise<void> | undefined;
  const byAddress = new Map(mailboxes.map((m) => [m.address, m]));
  return {
    smtpHost: '127.0.0.1', smtpPort, imapHost: '127.0.0.1', imapPort, mailboxes, domains, dataDir, caFile, startupMs,
    mailbox(role) {
      const m = mailboxes.find((b) => b.role === role);
      if (!m) throw new MssSandboxError(`no ${role} mailbox in this sandbox`);
      return m;
    },
    deliveredTo(address) {
      const m = byAddress.get(address.toLowerCase());
      if (!m) throw new MssSandboxError(`no mailbox ${address} in this sandbox`);
      const [local, domain] = m.address.split('@') as [string, string];
      const maildir = join(mailRoot, domain, local, 'Maildir');
      const files = ['new', 'cur'].flatMap((sub) => {
        const d = join(maildir, sub);
        return existsSync(d) ? readdirSync(d).map((f) => join(d, f)) : [];
      });
      // Maildir names start with the delivery time in seconds, then a unique part: sort by time, then name.
      return files.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || a.localeCompare(b)).map((f) => readFileSync(f));
    },
    logs: () => ({ postfix: readOr(postfixLog), dovecot: readOr(dovecotLog) }),
    stop() {
      stopping ??= stopAll().then(() => o.log?.('MSSanté sandbox stopped'));
      return stopping;
    },
  };
}
