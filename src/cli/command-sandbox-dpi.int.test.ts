import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MllpClient } from '../hl7/index.js';
import { readVoletBAck } from '../cisis/index.js';
import { exampleDocumentId, exampleIns, voletBMdm } from '../sandbox/dpi/testing.js';
import { relais, repo } from './testing.js';

describe('relais sandbox dpi', () => {
  let root = '';
  before(() => { root = mkdtempSync(join(tmpdir(), 'relais-cli-dpi-')); });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('prints its endpoint as one JSON line, answers as told (per patient too), stops on SIGTERM, and lists what it received', async () => {
    const data = join(root, 'data');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/entry.ts'), 'sandbox', 'dpi', '--port', '0', '--data', data,
      '--answer', 'AE:904', '--patient', '299999999999999=AA'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
    const firstLine = await new Promise<string>((done, fail) => {
      createInterface({ input: child.stdout! }).once('line', done);
      child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
    });
    const info = JSON.parse(firstLine) as { host: string; port: number; tls: boolean };
    assert.equal(info.host, '127.0.0.1');
    assert.ok(info.port > 0);
    assert.equal(info.tls, false);

    const client = new MllpClient({ host: info.host, port: info.port, ackTimeoutMs: 5_000 });
    try {
      assert.deepEqual(readVoletBAck((await client.send(voletBMdm('K1'))).toString('utf8'), 'K1'),
        { outcome: 'refused', code: '904', label: "L'INS ou les traits d'identité ne correspondent pas à ceux du patient" });
      assert.deepEqual(readVoletBAck((await client.send(voletBMdm('K2', '299999999999999'))).toString('utf8'), 'K2'), { outcome: 'integrated' });
    } finally {
      await client.close();
    }
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const logged = stderr.split('\n').filter((l) => l.includes('sandbox DPI: message received')).map((l) => JSON.parse(l) as { controlId: string; ack: string });
    assert.deepEqual(logged.map((l) => [l.controlId, l.ack]), [['K1', 'AE'], ['K2', 'AA']]);

    const list = await relais(['sandbox', 'dpi', 'list', '--data', data, '--json']);
    assert.equal(list.code, 0, list.stderr);
    const received = JSON.parse(list.stdout) as Record<string, string>[];
    assert.deepEqual(received.map((r) => [r.controlId, r.event, r.documentId, r.ins, r.ack, r.errorCode]), [
      ['K1', 'T02', exampleDocumentId, exampleIns, 'AE', '904'],
      ['K2', 'T02', exampleDocumentId, '299999999999999', 'AA', undefined],
    ]);
    const table = await relais(['sandbox', 'dpi', 'list', '--data', data]);
    assert.match(table.stdout, /^receivedAt\s+event\s+controlId/);
    assert.match(table.stdout, /T02\s+K1\s+\S+\s+\d{15}\s+AE\s+904/);
  });

  it('refuses an unknown answer', async () => {
    const r = await relais(['sandbox', 'dpi', '--port', '0', '--data', join(root, 'bad'), '--answer', 'AE:207']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown answer 'AE:207'/);
  });
});
