import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeTestChain } from '../pki/index.js';
import { mssSkip, startTls, clientTlsFor } from '../sandbox/mss/testing.js';

const repo = join(import.meta.dirname, '..', '..');
const skip = mssSkip();

/** Command lines of the running processes that mention `text`. */
function processesMentioning(text: string): string[] {
  return spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(text));
}

describe('relais sandbox mss', { skip }, () => {
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'relais-cli-mss-'));
    chmodSync(root, 0o711);
    await writeTestChain(join(root, 'pki'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('prints one JSON line with the endpoints and mailboxes, serves STARTTLS, and stops both daemons on SIGTERM', async () => {
    const dataDir = join(root, 'data');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/entry.ts'), 'sandbox', 'mss', '--pki', join(root, 'pki'), '--data', dataDir],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const firstLine = await new Promise<string>((done, fail) => {
      createInterface({ input: child.stdout! }).once('line', done);
      child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
    });
    const info = JSON.parse(firstLine) as { smtpHost: string; smtpPort: number; imapHost: string; imapPort: number;
      mailboxes: { role: string; address: string; login: string; password: string }[] };
    assert.equal(info.smtpHost, '127.0.0.1');
    assert.equal(info.imapHost, '127.0.0.1');
    assert.ok(info.mailboxes.some((m) => m.role === 'app' && m.address === 'relais@relais.test.mssante.fr' && m.login === m.address && m.password.length >= 12));
    assert.ok(info.mailboxes.some((m) => m.role === 'patient' && /^\d{15}@patient\.mssante\.fr$/.test(m.address)));
    const tls = clientTlsFor(join(root, 'pki'));
    for (const [port, protocol] of [[info.smtpPort, 'smtp'], [info.imapPort, 'imap']] as const) (await startTls(port, protocol, tls)).destroy();
    assert.ok(processesMentioning(dataDir).length >= 2, 'postfix and dovecot run');

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(processesMentioning(dataDir), []);
  });

  it('says what to do when the PKI directory is missing', async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/entry.ts'), 'sandbox', 'mss', '--pki', join(root, 'nowhere'), '--data', join(root, 'data2')],
      { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /root-ca\.pem is missing \(write a test chain with: relais pki test-init/);
  });
});
