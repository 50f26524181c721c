import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, recordAcceptedIntake } from '../store/index.js';
import { metaFlags, sampleDocument } from '../store/testing.js';
import { relais } from './testing.js';

describe('relais backup, backup verify, restore (embedded store)', () => {
  let dir: string;
  let data: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relais-backup-cli-'));
    data = join(dir, 'data');
    const store = await openStore({ dataDir: data });
    try {
      for (let n = 1; n <= 3; n += 1) {
        const { messageId: _unused, ...document } = sampleDocument('0', { documentId: `1.2.3.${n}`, flags: metaFlags({ DESTDMP: true }) });
        await recordAcceptedIntake(store.db, {
          message: { direction: 'in', channel: 'hl7', peer: 'dpi', sendingApp: 'DPI', sendingFacility: 'CH', controlId: `M${n}`,
            raw: Buffer.from(`MSH|${n}`), ack: Buffer.from('MSA|AA'), ackCode: 'AA', status: 'accepted' },
          documents: [{ document, deliveries: [{ kind: 'dmp', state: 'pending' }] }],
        });
      }
    } finally {
      await store.close();
    }
    writeFileSync(join(dir, 'relais.yaml'), 'log:\n  level: warn\n');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('backs up with the configuration, verifies, restores into a new directory and refuses a second restore there', async () => {
    const file = join(dir, 'plain.rbk');
    const b = await relais(['backup', file, '--data', data, '--config', join(dir, 'relais.yaml'), '--json']);
    assert.equal(b.code, 0, b.stderr);
    const summary = JSON.parse(b.stdout) as { tables: Record<string, number>; files: { role: string }[]; encrypted: boolean };
    assert.equal(summary.tables.document, 3);
    assert.deepEqual(summary.files.map((f) => f.role), ['config']);

    const v = await relais(['backup', 'verify', file]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /content SHA-256 [0-9a-f]{64} \(checked\)/);

    const target = join(dir, 'restored');
    const r = await relais(['restore', file, '--data', target, '--files-to', join(dir, 'files')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'files', 'relais.yaml'), 'utf8'), 'log:\n  level: warn\n');
    const listed = await relais(['documents', '--data', target, '--json']);
    assert.deepEqual((JSON.parse(listed.stdout) as { documentId: string }[]).map((d) => d.documentId).sort(), ['1.2.3.1', '1.2.3.2', '1.2.3.3']);

    const again = await relais(['restore', file, '--data', target]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /RLS_BACKUP_TARGET_NOT_EMPTY/);
  });

  it('encrypts with the passphrase from the environment and refuses a wrong one', async () => {
    const file = join(dir, 'secret.rbk');
    const b = await relais(['backup', file, '--data', data, '--encrypt'], { RELAIS_BACKUP_PASSPHRASE: 'une phrase de passe assez longue' });
    assert.equal(b.code, 0, b.stderr);
    const wrong = await relais(['backup', 'verify', file], { RELAIS_BACKUP_PASSPHRASE: 'une autre phrase' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /RLS_BACKUP_PASSPHRASE/);
    const right = await relais(['restore', file, '--data', join(dir, 'restored-secret')], { RELAIS_BACKUP_PASSPHRASE: 'une phrase de passe assez longue' });
    assert.equal(right.code, 0, right.stderr);
  });

  it('refuses a data directory held by a running node and leaves no archive behind', async () => {
    // This test process is alive: its pid in the lock stands for a running node.
    writeFileSync(join(data, 'relais.lock'), JSON.stringify({ pid: process.pid, adminPort: 1, token: 'x' }));
    try {
      const file = join(dir, 'busy.rbk');
      const b = await relais(['backup', file, '--data', data]);
      assert.equal(b.code, 1);
      assert.match(b.stderr, /in use by Relais process .*stop the node first, or run Relais on PostgreSQL/);
      assert.throws(() => readFileSync(file));
    } finally {
      rmSync(join(data, 'relais.lock'), { force: true });
    }
  });
});
