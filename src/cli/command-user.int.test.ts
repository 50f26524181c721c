import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo, startRelais, type Run } from './testing.js';

/** Runs the CLI from source on the embedded store, with `input` on its standard input. */
function relaisWithInput(args: string[], input = ''): Promise<Run> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/entry.ts'), ...args], {
      cwd: repo, env: { ...process.env, DATABASE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('relais user and relais audit', () => {
  let dir: string;
  let data: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'relais-user-'));
    data = join(dir, 'data');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds an administrator from a password on stdin and prints its TOTP enrolment URI', async () => {
    const r = await relaisWithInput(['user', 'add', 'Admin.Dupont', '--role', 'admin', '--password-stdin', '--data', data], 'Initial#Passw0rd-2025\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Compte admin\.dupont créé \(rôle admin\)/);
    assert.match(r.stdout, /^otpauth:\/\/totp\/Relais:admin\.dupont\?.*secret=[A-Z2-7]{32}/m);
  });

  it('refuses a password outside the policy with the reasons in French, and one given without --password-stdin', async () => {
    const weak = await relaisWithInput(['user', 'add', 'op1', '--role', 'operator', '--password-stdin', '--data', data], 'motdepasse\n');
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /au moins 15 caractères/);
    assert.match(weak.stderr, /caractère spécial/);
    const noStdin = await relaisWithInput(['user', 'add', 'op1', '--role', 'operator', '--data', data]);
    assert.equal(noStdin.code, 2);
    const badRole = await relaisWithInput(['user', 'add', 'op1', '--role', 'root', '--password-stdin', '--data', data], 'x');
    assert.notEqual(badRole.code, 0);
  });

  it('lists, disables, enables and unlocks accounts, and gives a new TOTP secret', async () => {
    const add = await relaisWithInput(['user', 'add', 'op1', '--role', 'operator', '--password-stdin', '--data', data], 'Operateur#Nuit-2026');
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await relaisWithInput(['user', 'disable', 'op1', '--data', data])).code, 0);
    const list = await relaisWithInput(['user', 'list', '--json', '--data', data]);
    const accounts = JSON.parse(list.stdout) as { login: string; role: string; disabledAt: string | null }[];
    assert.deepEqual(accounts.map((a) => [a.login, a.role, a.disabledAt !== null]), [['admin.dupont', 'admin', false], ['op1', 'operator', true]]);
    assert.equal((await relaisWithInput(['user', 'enable', 'op1', '--data', data])).code, 0);
    assert.equal((await relaisWithInput(['user', 'unlock', 'op1', '--data', data])).code, 0);
    const totp = await relaisWithInput(['user', 'totp', 'op1', '--json', '--data', data]);
    assert.match((JSON.parse(totp.stdout) as { totpUri: string }).totpUri, /^otpauth:\/\/totp\/Relais:op1\?/);
    const ghost = await relaisWithInput(['user', 'unlock', 'ghost', '--data', data]);
    assert.equal(ghost.code, 1);
    assert.match(ghost.stderr, /RLS_ACCOUNT_NOT_FOUND/);
  });

  it('exports the audit trail as CSV to a file and as JSON lines', async () => {
    const out = join(dir, 'audit.csv');
    const csv = await relaisWithInput(['audit', 'export', '--format', 'csv', '--out', out, '--data', data]);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'id;at;actor;operation;target;result;detail;source_ip');
    const ops = lines.slice(1).map((l) => l.split(';').slice(3, 6).join(' '));
    assert.deepEqual(ops, [
      'account_create admin.dupont success', 'account_create op1 failure', 'account_create op1 success', 'account_disable op1 success',
      'account_enable op1 success', 'account_unlock op1 success', 'totp_enrol op1 success', 'account_unlock ghost failure',
    ]);
    assert.ok(!readFileSync(out, 'utf8').includes('motdepasse'), 'no password in the trail');
    const jsonl = await relaisWithInput(['audit', 'export', '--format', 'jsonl', '--since', '2000-01-01', '--data', data]);
    assert.equal(jsonl.stdout.trimEnd().split('\n').length, 8);
    assert.equal((JSON.parse(jsonl.stdout.split('\n')[0]!) as { actor: string }).actor, 'system');
    const future = await relaisWithInput(['audit', 'export', '--format', 'jsonl', '--since', '2999-01-01', '--data', data]);
    assert.equal(future.stdout, '');
  });

  it('adds an account that signs in through the identity provider only, and links and unlinks identities', async () => {
    const add = await relaisWithInput(['user', 'add', 'dr.martin', '--role', 'operator', '--oidc-id', '899700218896', '--data', data]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /identité 899700218896 .*sans mot de passe local/);
    const taken = await relaisWithInput(['user', 'link', 'op1', '899700218896', '--data', data]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /RLS_ACCOUNT_EXISTS/);
    assert.equal((await relaisWithInput(['user', 'link', 'op1', '100000000042', '--data', data])).code, 0);
    const lastOnly = await relaisWithInput(['user', 'unlink', 'dr.martin', '--data', data]);
    assert.equal(lastOnly.code, 1, 'an account without password keeps its only way in');
    assert.equal((await relaisWithInput(['user', 'unlink', 'op1', '--data', data])).code, 0);
    const list = JSON.parse((await relaisWithInput(['user', 'list', '--json', '--data', data])).stdout) as { login: string; oidcId: string | null; hasPassword: boolean }[];
    assert.deepEqual(list.map((a) => [a.login, a.oidcId, a.hasPassword]), [
      ['admin.dupont', null, true], ['dr.martin', '899700218896', false], ['op1', null, true],
    ]);
    const text = await relaisWithInput(['user', 'list', '--data', data]);
    assert.match(text.stdout, /dr\.martin\s+operator\s+actif\s+non\s+899700218896/);
  });

  it('refuses to open the embedded store while a running node holds it', async () => {
    const node = await startRelais(data);
    try {
      const r = await relaisWithInput(['user', 'list', '--data', data]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`in use by Relais process ${node.child.pid}`));
    } finally {
      node.child.kill('SIGTERM');
      await new Promise((resolveExit) => node.child.once('exit', resolveExit));
    }
  });
});
