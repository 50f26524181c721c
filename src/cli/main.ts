/**
 * The `relais` command. Thin: parses arguments, reads the configuration, calls the engine.
 * Exit codes are part of the contract (README): validate → 0 only for AA; send → 0 AA, 1 AE/AR, 2 no ACK.
 */
import { Command, Option } from 'commander';
import { runStart } from './command-start.js';
import { runDemo } from './command-demo.js';
import { runValidate } from './command-validate.js';
import { runSend } from './command-send.js';
import { runListing } from './command-listings.js';
import { runPkiTestInit } from './command-pki.js';
import { runSandboxDmp, runSandboxDmpList } from './command-sandbox-dmp.js';
import { runSandboxMss } from './command-sandbox-mss.js';
import { runSandboxDpi, runSandboxDpiList } from './command-sandbox-dpi.js';
import { runTraces } from './command-traces.js';
import { runCancel, runHold, runRelease, runReplay, type OrderOptions } from './command-orders.js';
import { runAuditExport, runUserAdd, runUserList, runUserLink, runUserOrder, runUserTotp } from './command-user.js';
import { runStatsExport, runStatsShow } from './command-stats.js';
import { runBackup, runBackupVerify, runRestore } from './command-backup.js';
import { version } from './version.js';

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('relais')
    .description('Relais — Plateforme d\'Intermédiation (PFI) : DPI ⇄ DMP / MSSanté')
    .version(version)
    .showHelpAfterError()
    .enablePositionalOptions()
    .exitOverride();

  const configOption = () => new Option('-c, --config <file>', 'YAML configuration file').env('RELAIS_CONFIG');
  const dataOption = () => new Option('--data <dir>', 'embedded store directory (ignored when DATABASE_URL is set)');

  program.command('start')
    .description('run Relais until SIGTERM: MLLP intake from the DPI, DMP and MSSanté flows, mailbox reading, the console when asked')
    .addOption(configOption())
    .addOption(dataOption())
    .option('--mllp-port <n>', 'MLLP port of the first listener', parsePort)
    .option('--mllp-host <ip>', 'address of the first listener')
    .option('--console-port <n>', 'serve the operations console on this port (turns console.enabled on; loopback unless console.host)', parsePort)
    .option('--console-host <ip>', 'address of the console (default 127.0.0.1; put a TLS proxy in front for other machines)')
    .action(async (o) => { exitCode = await runStart(o); });

  program.command('demo')
    .description('run Relais on an embedded store and feed it a day of synthetic documents from a simulated DPI')
    .addOption(dataOption().default('./data'))
    .option('--mllp-port <n>', 'MLLP port (default: 2575, or a free port if taken)', parsePort)
    .option('--exit', 'stop after the demonstration instead of staying up')
    .action(async (o) => { exitCode = await runDemo(o); });

  program.command('validate <file>')
    .description('print the ACK Relais would answer to an HL7 v2 message (exit 0 only for AA)')
    .addOption(configOption())
    .addOption(new Option('--profile <profile>', 'MSS matrix profile').choices(['2.1.2', '2.1.3', 'lenient']))
    .option('--json', 'print { ack, errors } as JSON')
    .action(async (file, o) => { exitCode = await runValidate(file, o); });

  program.command('send <file>')
    .description('send an HL7 v2 message over MLLP like a DPI and print the ACK (exit 0 AA, 1 AE/AR, 2 no ACK)')
    .requiredOption('--to <host:port>', 'Relais MLLP address')
    .option('--tls', 'use TLS')
    .option('--ca <file>', 'trust anchors (PEM) for the server certificate')
    .option('--cert <file>', 'client certificate (PEM)')
    .option('--key <file>', 'client private key (PEM)')
    .option('--servername <name>', 'TLS server name to check')
    .option('--timeout <ms>', 'ACK timeout in milliseconds', (v) => Number(v), 30_000)
    .action(async (file, o) => { exitCode = await runSend(file, o); });

  for (const what of ['documents', 'deliveries'] as const) {
    const cmd = program.command(what)
      .description(what === 'documents' ? 'list stored documents' : 'list deliveries (one per document and destination)')
      .addOption(configOption())
      .addOption(dataOption())
      .option('--json', 'print JSON')
      .option('--limit <n>', 'at most n rows', (v) => Number(v), 1000);
    if (what === 'deliveries') cmd.addOption(new Option('--state <state>', 'only this state').choices(['held', 'pending', 'in_flight', 'done', 'retry_wait', 'dead', 'cancelled']));
    cmd.action(async (o) => { exitCode = await runListing(what, o); });
  }

  program.command('traces')
    .description('print the traces of every SMTP and IMAP operation (newest first): author, time, action, request, server answer')
    .addOption(configOption())
    .addOption(dataOption())
    .option('--since <date>', 'from this ISO date or date-time')
    .option('--until <date>', 'before this ISO date or date-time')
    .option('--failed', 'only failed operations')
    .addOption(new Option('--json', 'print JSON').conflicts('csv'))
    .option('--csv', 'print CSV (; separated, UTF-8, one header line)')
    .option('--limit <n>', 'at most n rows', (v) => Number(v), 1000)
    .action(async (o) => { exitCode = await runTraces(o); });

  const orders: [string, string, (o: OrderOptions) => Promise<number>][] = [
    ['hold', 'hold send orders (pending or waiting for a retry) until released', runHold],
    ['release', 'release held send orders', runRelease],
    ['replay', 'send dead orders again', runReplay],
    ['cancel', 'cancel send orders that are not being sent', runCancel],
  ];
  for (const [name, description, run] of orders) {
    program.command(`${name} [ids...]`)
      .description(description)
      .addOption(configOption())
      .addOption(dataOption())
      .addOption(new Option('--state <state>', 'every order in this state').choices(['held', 'pending', 'in_flight', 'done', 'retry_wait', 'dead', 'cancelled']))
      .addOption(new Option('--kind <kind>', 'only this destination').choices(['dmp', 'mss_ps', 'mss_patient', 'dpi']))
      .option('--reason <text>', 'why (kept on the orders)')
      .option('--json', 'print JSON')
      .action(async (ids: string[], o) => { exitCode = await run({ ...o, ...(ids.length ? { ids } : {}) }); });
  }

  const sandboxDmp = program.command('sandbox')
    .description('stand-ins for the national services (test and demonstration only)')
    .enablePositionalOptions()
    .command('dmp')
    .enablePositionalOptions()
    .description('serve a strict XDS.b DMP stand-in over HTTPS with mutual TLS (certificates from `relais pki test-init`)')
    .option('--port <n>', 'HTTPS port', parsePort, 8443)
    .option('--host <ip>', 'address to listen on', '127.0.0.1')
    .option('--pki <dir>', 'directory written by `relais pki test-init` (required)')
    .option('--data <dir>', 'where the sandbox keeps its entries and every request received (required)')
    .option('--admin-port <n>', 'plain-HTTP fault-injection port on 127.0.0.1', parsePort)
    // Options after `list` belong to `list` (see enablePositionalOptions below), so these two are checked here.
    .action(async (o) => {
      if (!o.pki || !o.data) throw new Error('relais sandbox dmp needs --pki <dir> and --data <dir>');
      exitCode = await runSandboxDmp(o);
    });
  sandboxDmp.command('list')
    .description('list what the sandbox DMP holds')
    .requiredOption('--data <dir>', 'the sandbox data directory')
    .option('--json', 'print JSON')
    .action(async (o) => { exitCode = await runSandboxDmpList(o); });
  sandboxDmp.parent?.command('mss')
    .description('run an MSSanté operator stand-in: Postfix (SMTP, STARTTLS, client certificate, SASL PLAIN) and Dovecot (IMAP) on '
      + 'free loopback ports; prints one JSON line (endpoints, mailboxes) and runs until SIGTERM. Needs root and the Debian '
      + 'packages postfix, dovecot-imapd, dovecot-lmtpd')
    .requiredOption('--pki <dir>', 'directory written by `relais pki test-init`')
    .requiredOption('--data <dir>', 'where the instances keep their configuration, queue, logs and mailboxes')
    .option('--weak', 'offer only a 1024-bit DH group over TLS 1.2 (a client inside the MSSanté profile must refuse)')
    .option('--size-limit <bytes>', 'Postfix message_size_limit', (v) => Number.parseInt(v, 10))
    .option('--reject-unknown', 'refuse unknown recipients at RCPT TO instead of returning a DSN')
    .action(async (o) => { exitCode = await runSandboxMss(o); });
  const sandboxDpi = sandboxDmp.parent?.command('dpi')
    .enablePositionalOptions()
    .description('serve a DPI stand-in for volet B over MLLP: keeps every message and answers AA, AR, AE:<900…906> or nothing; '
      + 'prints one JSON line (host, port) and runs until SIGTERM')
    .option('--port <n>', 'MLLP port (0: any free port)', parsePort, 2576)
    .option('--host <ip>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'where the sandbox keeps every message received and its index (required)')
    .option('--answer <answer>', 'AA, AR, AE:<900…906> or silent', 'AA')
    .option('--patient <ins=answer>', 'answer for one patient INS (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--pki <dir>', 'serve MLLP over TLS with the server certificate of `relais pki test-init`')
    // Options after `list` belong to `list`, so --data is checked here.
    .action(async (o) => {
      if (!o.data) throw new Error('relais sandbox dpi needs --data <dir>');
      exitCode = await runSandboxDpi(o);
    });
  sandboxDpi?.command('list')
    .description('list what the sandbox DPI received')
    .requiredOption('--data <dir>', 'the sandbox data directory')
    .option('--json', 'print JSON')
    .action(async (o) => { exitCode = await runSandboxDpiList(o); });

  const user = program.command('user').description('local console accounts (roles admin, operator, auditor); every change goes to the audit trail');
  user.command('add <login>')
    .description('create an account; the password is read from standard input and must satisfy the password policy')
    .addOption(new Option('--role <role>', 'what the account may do').choices(['admin', 'operator', 'auditor']).makeOptionMandatory())
    .option('--password-stdin', 'read the password from standard input (required unless --oidc-id is given)')
    .option('--oidc-id <identity>', 'link the account to this identity at the identity provider (console.oidc.identityClaim, e.g. the RPPS national id)')
    .option('--must-change', 'require a new password at the first login')
    .addOption(configOption())
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (login, o) => { exitCode = await runUserAdd(login, o); });
  user.command('list')
    .description('list the accounts with their role and state')
    .addOption(configOption())
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (o) => { exitCode = await runUserList(o); });
  for (const [order, description] of [
    ['unlock', 'unlock an account locked after failed attempts'],
    ['disable', 'disable an account and end its sessions'],
    ['enable', 'enable a disabled account'],
  ] as const) {
    user.command(`${order} <login>`)
      .description(description)
      .addOption(configOption())
      .addOption(dataOption())
      .option('--json', 'print JSON')
      .action(async (login, o) => { exitCode = await runUserOrder(order, login, o); });
  }
  user.command('link <login> <identity>')
    .description('link the account to an identity at the identity provider (one account, several ways in); ends its sessions')
    .addOption(configOption())
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (login, identity, o) => { exitCode = await runUserLink(login, identity, o); });
  user.command('unlink <login>')
    .description('detach the account from the identity provider (it keeps its password); ends its sessions')
    .addOption(configOption())
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (login, o) => { exitCode = await runUserLink(login, null, o); });
  user.command('totp <login>')
    .description('give the account a new TOTP secret and print its otpauth:// URI (the previous secret stops working)')
    .addOption(configOption())
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (login, o) => { exitCode = await runUserTotp(login, o); });

  program.command('audit')
    .description('the audit trail (SC.SSI/IAM.91)')
    .command('export')
    .description('write the audit trail, oldest first, as CSV (";", UTF-8) or JSON lines for a SIEM')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'))
    .option('--since <date>', 'entries at or after this ISO date-time')
    .option('--until <date>', 'entries before this ISO date-time')
    .option('--out <file>', 'write to this file instead of standard output')
    .addOption(configOption())
    .addOption(dataOption())
    .action(async (o) => { exitCode = await runAuditExport(o); });

  const stats = program.command('stats').description('Ségur statistics per FINESS géographique × document type × month (docs/statistics.md)');
  stats.command('export')
    .description('write the statistics of a year as CSV (";", UTF-8, one header line, no totals)')
    .requiredOption('--year <yyyy>', 'the year (months in Europe/Paris)')
    .requiredOption('--out <file>', 'the CSV file to write')
    .option('--bom', 'start the file with a UTF-8 BOM (for spreadsheets)')
    .addOption(configOption())
    .addOption(dataOption())
    .action(async (o) => { exitCode = await runStatsExport(o); });
  stats.command('show')
    .description('print the statistics of a year as a table')
    .requiredOption('--year <yyyy>', 'the year (months in Europe/Paris)')
    .addOption(configOption())
    .addOption(dataOption())
    .action(async (o) => { exitCode = await runStatsShow(o); });

  const backup = program.command('backup <file>')
    .description('write the store (one consistent snapshot) and the configuration file to a gzipped, checksummed archive; docs/operations.md')
    .addOption(configOption())
    .addOption(dataOption())
    .option('--encrypt', 'encrypt with a passphrase (RELAIS_BACKUP_PASSPHRASE, else standard input): AES-256-GCM, scrypt')
    .option('--include-keys', 'also carry the keys and certificates the configuration points at (excluded by default)')
    .option('--gzip-level <n>', 'compression level 1 (fast) to 9 (small)', (v) => Number(v))
    .option('--json', 'print JSON')
    .action(async (file, o) => { exitCode = await runBackup(file, o); });
  backup.command('verify <file>')
    .description('check an archive without restoring it: structure, row counts, SHA-256, authentication when encrypted')
    .option('--passphrase-stdin', 'read the passphrase from standard input (else RELAIS_BACKUP_PASSPHRASE)')
    .option('--json', 'print JSON')
    .action(async (file, o) => { exitCode = await runBackupVerify(file, o); });

  program.command('restore <file>')
    .description('restore an archive into an EMPTY store (new --data directory or empty PostgreSQL schema) and verify it')
    .addOption(configOption())
    .addOption(dataOption())
    .option('--passphrase-stdin', 'read the passphrase from standard input (else RELAIS_BACKUP_PASSPHRASE)')
    .option('--files-to <dir>', 'write the files carried in the archive (configuration, keys) into this new directory')
    .option('--json', 'print JSON')
    .action(async (file, o) => { exitCode = await runRestore(file, o); });

  program.command('pki')
    .description('certificates')
    .command('test-init <dir>')
    .description('write a test PKI shaped like IGC Santé (root, Organisations CA, AUTH_CLI, SIGN, server) — never for production')
    .option('--force', 'write into a non-empty directory')
    .option('--server-name <name...>', 'extra DNS names for the server certificate')
    .action(async (dir, o) => { exitCode = await runPkiTestInit(dir, { force: o.force, serverNames: o.serverName }); });

  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (typeof code === 'number') return code; // commander already printed help or the usage error
    throw e;
  }
  return exitCode;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port: ${v}`);
  return n;
}
