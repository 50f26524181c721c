import { resolve } from 'node:path';
import { isRelaisError } from '../domain/index.js';
import { startMssSandbox, type MssSandbox } from '../sandbox/index.js';

export interface SandboxMssOptions {
  /** The directory written by `relais pki test-init` (root-ca.pem, org-ca.pem, server.pem, server.key). */
  pki: string;
  /** Configuration, queue, logs and mailboxes of the Postfix and Dovecot instances. */
  data: string;
  weak?: boolean;
  sizeLimit?: number;
  rejectUnknown?: boolean;
}

/**
 * `relais sandbox mss`: starts the MSSanté operator stand-in (Postfix + Dovecot on loopback), prints one JSON line
 * with its endpoints and mailboxes, and runs until SIGTERM or SIGINT, then stops both daemons.
 */
export async function runSandboxMss(o: SandboxMssOptions): Promise<number> {
  let sandbox: MssSandbox;
  try {
    sandbox = await startMssSandbox({
      pkiDir: resolve(o.pki), dataDir: resolve(o.data), weak: o.weak === true, rejectUnknownAtRcpt: o.rejectUnknown === true,
      ...(o.sizeLimit === undefined ? {} : { messageSizeLimit: o.sizeLimit }),
    });
  } catch (e) {
    if (!isRelaisError(e)) throw e;
    process.stderr.write(`${e.code}: ${e.message}\n`);
    return 1;
  }
  const { smtpHost, smtpPort, imapHost, imapPort, domains, caFile, startupMs } = sandbox;
  const mailboxes = sandbox.mailboxes.map(({ role, address, login, password }) => ({ role, address, login, password }));
  process.stdout.write(JSON.stringify({ smtpHost, smtpPort, imapHost, imapPort, mailboxes, domains, caFile, startupMs }) + '\n');
  await new Promise<void>((done) => {
    process.once('SIGTERM', () => done());
    process.once('SIGINT', () => done());
  });
  await sandbox.stop();
  return 0;
}
