/**
 * The MDM Relais emits for the volet B example mail: the ANS examples are MDMs made from a mail whose fields they
 * carry (From, To, Reply-To, Subject, body, the CDA in IHE_XDM.zip). Relais reads that mail, built here from the
 * example itself, and must emit the example's fields (the builder's own comparison, field by field and with its
 * exclusions, is in src/cisis/volet-b-message.test.ts; this test covers the mail → builder mapping of the engine).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCdaHeader } from '../cda/index.js';
import { examplesDir } from '../cisis/testing/mutate.js';
import { parseEr7 } from '../hl7/index.js';
import { listNotifications, getNotificationPayload } from '../store/index.js';
import { forEachDriver } from '../store/testing.js';
import { buildXdmArchive } from '../xdm/index.js';
import { handleInboundMail } from './inbound-intake.js';

const voletB = join(examplesDir, 'Vague 2/Trans_LPS_CDA_MSSanté/TRANSMISSION_LPS_DOC_CDA_COURRIEL_FROM_MSSANTE_V1.1');
const example = parseEr7(readFileSync(join(voletB, 'Transmission initiale MDM', 'message_MDM__LPS_MSS_CR_Radio_INIT_N1_Base64.er7')));
const replacement = parseEr7(readFileSync(join(voletB, 'Remplacement MDM', 'message_MDM__LPS_MSS_CR_Radio_RPLC_N1.er7')));
const deletion = parseEr7(readFileSync(join(voletB, 'Suppression MDM', 'message_MDM__LPS_MSS_CR_Radio_DEL_N1.er7')));

function exampleCda(m = example): Buffer {
  const text = m.segment('OBX')?.get(5, 5) ?? '';
  return Buffer.from(text, 'base64');
}

async function exampleMail(m = example, action: 'publish' | 'replace' | 'delete' = 'publish'): Promise<Buffer> {
  const cda = exampleCda(m);
  const header = readCdaHeader(cda);
  const { zip } = await buildXdmArchive({
    patient: { ins: header.patient.ids[0]!.extension ?? '', insOid: header.patient.ids[0]!.root }, requester: {},
    submissionTime: new Date(), sourceOid: '1.2.250.1.999.2', intendedRecipients: [{ mail: 'dpi@hopitalA.mssante.fr' }],
    documents: [{ cda, header, flags: { MASQUE_PS: false, INVISIBLE_PATIENT: true, INVISIBLE_REP_LEGAUX: true }, action }],
    sender: { organisation: 'Cabinet', contact: ['thomas.eric@medecin.mssante.fr'], software: { name: 'x', version: '1' } },
  });
  const obx2 = m.all('OBX')[1]!;
  const body = Buffer.from(obx2.get(5, 5), 'base64').toString('utf8');
  const b = 'example-boundary';
  return Buffer.from([
    'From: Thomas Eric <thomas.eric@medecin.mssante.fr>', 'To: dpi@hopitalA.mssante.fr', 'Reply-To: adam.hoda@test-ci-sis.mssante.fr',
    `Subject: =?UTF-8?B?${Buffer.from(obx2.get(3, 2), 'utf8').toString('base64')}?=`, `Message-ID: <example.${action}@medecin.mssante.fr>`,
    'Date: Thu, 26 Nov 2026 09:59:58 +0100', 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${b}"`, '',
    `--${b}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from(body).toString('base64'), '',
    `--${b}`, 'Content-Type: application/zip; name="IHE_XDM.zip"', 'Content-Disposition: attachment; filename="IHE_XDM.zip"',
    'Content-Transfer-Encoding: base64', '', zip.toString('base64').replace(/.{76}/g, '$&\r\n'), '', `--${b}--`, '',
  ].join('\r\n'));
}

forEachDriver('volet B MDM from the example mail', (ctx) => {
  it('carries the example\'s patient, document, participants, mail OBX and flags', async () => {
    let n = 0;
    const r = await handleInboundMail({ mailbox: 'dpi@hopitalA.mssante.fr', uidValidity: '1', uid: 1, raw: await exampleMail(), receivedAt: new Date() }, {
      store: ctx.store, sendingApp: 'PFI-Y', sendingFacility: 'Organisation-Y', receivingApp: 'RIS-Y', receivingFacility: 'Organisation-X',
      nextControlId: () => `B${++n}`, zam: { applicationName: 'PFI-Y', facility: 'Organisation-Y', nextControlId: () => 'Z' }, testOids: true,
      directory: { 'thomas.eric@medecin.mssante.fr': { person: { id: '801234564895', family: 'Eric', given: 'Thomas', idType: 'IDNPS' } } },
      // The unit name as the example spells it (configuration data, typo included).
      careUnits: { 'dpi@hopitala.mssante.fr': { name: "Service d'urolgie", id: '3435', type: 'UF', authority: '120456789' } },
    });
    assert.equal(r.kind, 'xdm');
    const [row] = await listNotifications(ctx.store.db);
    assert.equal(row?.kind, 'mdm_t02');
    const ours = parseEr7((await getNotificationPayload(ctx.store.db, row!.id))!);
    const same = (segment: string, field: number, occurrence = 1) =>
      assert.equal(ours.segment(segment, occurrence)?.raw(field), example.segment(segment, occurrence)?.raw(field), `${segment}${occurrence}-${field}`);
    // MSH-7 and MSH-10 are ours.
    for (const f of [3, 4, 5, 6, 9, 11, 12, 17, 18, 21]) same('MSH', f);
    same('PID', 5); same('PID', 7); same('PID', 8); same('PV1', 2); same('ORC', 1); same('OBR', 4);
    for (const f of [1, 2, 3, 17]) same('TXA', f);
    assert.equal(ours.segment('TXA')?.get(12, 1), example.segment('TXA')?.get(12, 1));
    assert.equal(ours.segment('PID')?.get(3, 1), example.segment('PID')?.get(3, 1));
    // PRT SB (the From, enriched from the directory), RCT (the To, routed to its care unit), REPLY (the Reply-To).
    for (const occurrence of [1, 2, 3]) {
      for (const f of [4, 8, 15]) same('PRT', f, occurrence);
    }
    assert.equal(ours.segment('PRT')?.get(5, 1), example.segment('PRT')?.get(5, 1));
    // The mail OBX: Subject and body as the mail had them (the Message-ID is the mail's own).
    assert.equal(ours.all('OBX')[1]?.get(3, 2), example.all('OBX')[1]?.get(3, 2));
    assert.equal(ours.all('OBX')[1]?.get(5, 5), example.all('OBX')[1]?.get(5, 5));
    assert.equal(ours.all('OBX')[1]?.get(3, 1), '<example.publish@medecin.mssante.fr>');
    // The document, byte for byte, and the four flags.
    assert.deepEqual(Buffer.from(ours.segment('OBX')?.get(5, 5) ?? '', 'base64'), exampleCda());
    for (let i = 2; i < 6; i++) {
      assert.equal(ours.all('OBX')[i]?.raw(3), example.all('OBX')[i]?.raw(3));
      assert.equal(ours.all('OBX')[i]?.raw(5), example.all('OBX')[i]?.raw(5));
    }
  });

  for (const [action, m, event] of [['replace', replacement, 'T10'], ['delete', deletion, 'T04']] as const) {
    it(`gives ${event} with TXA-13 for the example's ${action} archive`, async () => {
      let n = 0;
      await handleInboundMail({ mailbox: 'dpi@hopitalA.mssante.fr', uidValidity: '1', uid: 2, raw: await exampleMail(m, action), receivedAt: new Date() }, {
        store: ctx.store, sendingApp: 'PFI-Y', sendingFacility: 'Organisation-Y', receivingApp: 'RIS-Y', receivingFacility: 'Organisation-X',
        nextControlId: () => `C${++n}`, zam: { applicationName: 'PFI-Y', facility: 'Organisation-Y', nextControlId: () => 'Z' }, testOids: true,
      });
      const [row] = await listNotifications(ctx.store.db);
      const ours = parseEr7((await getNotificationPayload(ctx.store.db, row!.id))!);
      assert.equal(ours.segment('MSH')?.raw(9), m.segment('MSH')?.raw(9));
      assert.equal(ours.messageType.event, event);
      assert.equal(ours.segment('ORC')?.get(1), m.segment('ORC')?.get(1));
      assert.equal(ours.segment('OBX')?.get(11), m.segment('OBX')?.get(11));
      assert.equal(ours.segment('TXA')?.get(12, 1), m.segment('TXA')?.get(12, 1));
      assert.equal(ours.segment('TXA')?.get(13, 1), m.segment('TXA')?.get(13, 1));
    });
  }
});
