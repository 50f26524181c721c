/**
 * The scripts' contract for MSSanté sending: `relais start` takes the operator and the mailbox from RELAIS_MSS_* and
 * its certificate from RELAIS_PKI_DIR; a message sent with `relais send` ends in the recipient's mailbox; `relais
 * traces --csv` shows the SMTP exchange while the node runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { syntheticCda } from '../cda/index.js';
import { buildVoletAMessage } from '../sandbox/index.js';
import { demoAuthor, demoOrganization, demoPatients } from '../sandbox/demo-patients.js';
import { mssSkip, startTestMss, waitForMessages, type TestMss } from '../sandbox/mss/testing.js';
import { relais, startRelais } from './testing.js';

describe('relais start with an MSSanté operator', { skip: mssSkip() }, () => {
  let mss: TestMss;
  let dir: string;
  before(async () => {
    mss = await startTestMss();
    dir = mkdtempSync(join(tmpdir(), 'relais-cli-mss-'));
  });
  after(async () => {
    await mss?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the document to the professional mailbox and lists the SMTP traces as CSV', async () => {
    const app = mss.sandbox.mailbox('app');
    const ps = mss.sandbox.mailbox('ps');
    const patient = demoPatients[1]!;
    const id = { root: `1.2.250.1.999.8.${process.pid}.${Date.now() % 100_000}` };
    const file = join(dir, 'message.hl7');
    writeFileSync(file, buildVoletAMessage({
      structure: 'MDM', action: 'publish', controlId: `CLI${Date.now()}`, timestamp: new Date(), documentId: id,
      cdaXml: syntheticCda({ typeCode: '11490-0', patient, documentId: id, setId: id, version: 1, level: 'N3', author: demoAuthor, organization: demoOrganization }),
      typeCode: { code: '11490-0', label: 'Lettre de liaison de sortie' }, patient,
      sender: { ...demoAuthor, finess: demoOrganization.finess, orgName: demoOrganization.name },
      recipients: [{ address: ps.address }],
      flags: { DESTDMP: false, DESTMSSANTEPS: true, DESTMSSANTEPAT: false, ACK_RECEPTION: false, ACK_LECTURE_MSS: false },
    }));
    const data = join(dir, 'data');
    const node = await startRelais(data, {
      RELAIS_MSS_SMTP: `${mss.sandbox.smtpHost}:${mss.sandbox.smtpPort}`, RELAIS_MSS_IMAP: `${mss.sandbox.imapHost}:${mss.sandbox.imapPort}`,
      RELAIS_MSS_BAL: app.address, RELAIS_MSS_PASSWORD: app.password, RELAIS_PKI_DIR: mss.pkiDir,
    });
    try {
      const sent = await relais(['send', file, '--to', `127.0.0.1:${node.port}`]);
      assert.equal(sent.code, 0, sent.stderr);
      const [raw] = await waitForMessages(mss, ps, 1, { timeoutMs: 30_000 });
      const mail = await simpleParser(raw!);
      assert.match(mail.subject ?? '', /^XDM\/1\.0\/DDM\+.* BERTHOLET JEAN-MARC/);
      assert.ok(mail.attachments.some((a) => a.filename === 'IHE_XDM.zip'));

      let csv = '';
      for (let i = 0; i < 50 && !/;smtp;send;true;/.test(csv); i++) {
        const r = await relais(['traces', '--csv', '--data', data]);
        assert.equal(r.code, 0, r.stderr);
        csv = r.stdout;
        await new Promise((res) => setTimeout(res, 200));
      }
      const [head, ...lines] = csv.trimEnd().split('\r\n');
      assert.equal(head, 'at;actor;protocol;action;ok;mailMessageId;durationMs;request;response');
      assert.ok(lines.some((l) => l.includes(`;${app.address};smtp;send;true;`)), csv);
      assert.doesNotMatch(csv, new RegExp(app.password));
    } finally {
      node.child.kill('SIGTERM');
      await new Promise((r) => node.child.once('exit', r));
    }
  });
});
