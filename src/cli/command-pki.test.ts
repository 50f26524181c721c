import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPkiTestInit } from './command-pki.js';

function capture(stream: NodeJS.WriteStream): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const original = stream.write.bind(stream);
  stream.write = ((c: string | Uint8Array) => { chunks.push(String(c)); return true; }) as typeof stream.write;
  return { text: () => chunks.join(''), restore: () => { stream.write = original; } };
}

describe('relais pki test-init', () => {
  let base = '';
  before(() => { base = mkdtempSync(join(tmpdir(), 'relais-cli-pki-')); });
  after(() => { if (base) rmSync(base, { recursive: true, force: true }); });

  it('writes the chain, prints each file, then refuses to run again without --force', async () => {
    const dir = join(base, 'pki');
    const out = capture(process.stdout);
    let code: number;
    try { code = await runPkiTestInit(dir, { serverNames: ['relais.test'] }); } finally { out.restore(); }
    assert.equal(code, 0);
    assert.equal(readdirSync(dir).length, 8);
    assert.match(out.text(), /TEST/);
    assert.match(out.text(), /auth-cli\.key {2}\(clé privée, mode 0600\)/);
    assert.match(out.text(), /root-ca\.pem {2}CN=TEST AC RACINE IGC-SANTE ELEMENTAIRE/);

    const err = capture(process.stderr);
    try { code = await runPkiTestInit(dir, {}); } finally { err.restore(); }
    assert.equal(code, 1);
    assert.match(err.text(), /RLS_PKI_OUTPUT_EXISTS/);

    const again = capture(process.stdout);
    try { code = await runPkiTestInit(dir, { force: true }); } finally { again.restore(); }
    assert.equal(code, 0);
  });
});
