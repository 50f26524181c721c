/**
 * PGlite durability: a commit whose promise resolved survives the process being killed (SIGKILL, no
 * chance to flush or close). PGlite runs PostgreSQL with fsync=off and writes its files through Node's
 * fs.writeSync, so a resolved commit is in the operating system's page cache: it survives a crash of
 * Relais, not a power loss or a kernel crash. On a PostgreSQL server, durability is the server's job.
 *
 * The same file is the child process: with RELAIS_STORE_DURABILITY_CHILD set it commits intake
 * transactions in a loop and prints the id of each one once its commit resolved.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { insertDeliveries, listDeliveries } from './deliveries.js';
import { insertDocument, listDocuments } from './documents.js';
import { insertMessage, listMessages } from './messages.js';
import { openStore } from './open-store.js';
import { sampleDocument, sampleMessage } from './test-fixtures.js';

const childDir = process.env.RELAIS_STORE_DURABILITY_CHILD;

async function runChild(dataDir: string): Promise<void> {
  const store = await openStore({ dataDir });
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    const controlId = `DUR${i}`;
    await store.transaction(async (tx) => {
      const { id: messageId } = await insertMessage(tx, sampleMessage({ controlId }));
      const { id: documentRowId } = await insertDocument(tx, sampleDocument(messageId, { documentId: `1.2.3^${controlId}` }));
      await insertDeliveries(tx, [
        { documentRowId, kind: 'dmp', state: 'pending' },
        { documentRowId, kind: 'mss_ps', recipient: 'a@x.mssante.fr', state: 'pending' },
        { documentRowId, kind: 'mss_patient', recipient: 'p@x.mssante.fr', state: 'held' },
      ]);
    });
    process.stdout.write(`committed ${controlId}\n`);
  }
}

if (childDir !== undefined) {
  await runChild(childDir);
} else {
  describe('PGlite durability', () => {
    const dirs: string[] = [];
    after(async () => {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    });

    it('keeps every transaction whose commit resolved when the process is SIGKILLed mid-stream', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'relais-durability-'));
      dirs.push(dataDir);
      const repo = fileURLToPath(new URL('../../', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
        cwd: repo,
        env: { ...process.env, RELAIS_STORE_DURABILITY_CHILD: dataDir },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      const committed: string[] = [];
      const wanted = 25;
      for await (const line of createInterface({ input: child.stdout })) {
        const m = /^committed (\S+)$/.exec(line);
        if (m?.[1]) committed.push(m[1]);
        if (committed.length === wanted) {
          // While the child is in the middle of the next transaction.
          child.kill('SIGKILL');
          break;
        }
      }
      assert.equal(await exited, 'SIGKILL');
      assert.equal(committed.length, wanted);

      await using store = await openStore({ dataDir });
      const messages = new Set((await listMessages(store.db, { limit: 1000 })).map((m) => m.controlId));
      for (const c of committed) assert.ok(messages.has(c), `${c} was committed but is lost`);
      // Nothing half-written: every stored message has its document and its three deliveries.
      const docs = await listDocuments(store.db, { limit: 1000 });
      assert.equal(docs.length, messages.size);
      assert.equal((await listDeliveries(store.db, { limit: 1000 })).length, 3 * docs.length);
    });
  });
}
