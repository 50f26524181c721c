/**
 * The contract for scripts, through the real command line: `relais user add` creates an account,
 * `relais start --console-port 0` serves the console on loopback, POST /api/login answers 200 with the
 * session cookie, GET /api/documents needs it, /metrics answers Prometheus text.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { repo } from '../cli/testing.js';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'relais-console-start-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input = ''): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/entry.ts'), ...args], { cwd: repo, env: { ...process.env, DATABASE_URL: '' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('close', (code) => done({ code, stderr }));
    child.stdin.end(input);
  });
}

it('relais start --console-port serves the console on loopback: login, documents, metrics', async () => {
  const data = join(dir, 'data');
  const password = 'Quai-Passw0rd!2026xy';
  const added = await cli(['user', 'add', 'exploitant', '--role', 'operator', '--password-stdin', '--data', data], `${password}\n`);
  assert.equal(added.code, 0, added.stderr);
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/entry.ts'), 'start', '--data', data, '--mllp-port', '0', '--console-port', '0'], {
    cwd: repo, env: { ...process.env, DATABASE_URL: '' },
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`relais start exited early with ${code}`)));
      createInterface({ input: child.stderr }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'console listening' && entry.url) resolve(entry.url);
      });
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${url}/api/documents`)).status, 401);
    const login = await fetch(`${url}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'exploitant', password }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^relais_session=[A-Za-z0-9_-]{43};.*HttpOnly.*SameSite=Strict/);
    const documents = await fetch(`${url}/api/documents`, { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(documents.status, 200);
    assert.deepEqual(await documents.json(), { documents: [] });
    const wrong = await fetch(`${url}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'exploitant', password: 'nope' }),
    });
    assert.equal(wrong.status, 401);
    const metrics = await fetch(`${url}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await metrics.text(), /# TYPE relais_deliveries gauge/);
    assert.deepEqual(await (await fetch(`${url}/ready`)).json(), { status: 'ready' });
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
});
