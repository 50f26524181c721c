import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEr7 } from '../hl7/index.js';
import { buildXdmArchive, readXdmArchive } from '../xdm/index.js';
import { archiveInput, cdaDocument, TEST_INS } from '../xdm/testing/fixtures.js';
import { buildVoletBMessage } from './volet-b-message.js';

describe('volet B MDM from a document read out of an IHE_XDM archive', () => {
  it('takes the XdmDocument as it is: id, parent, action, confidentiality codes, CDA bytes', async () => {
    const first = { ...cdaDocument({ documentId: { root: '1.2.250.1.999.2.4001' } }), flags: { MASQUE_PS: false, INVISIBLE_PATIENT: true, INVISIBLE_REP_LEGAUX: true } };
    const second = cdaDocument({ documentId: { root: '1.2.250.1.999.2.4002' }, replaces: { root: '1.2.250.1.999.2.3999' } }, 'replace');
    const archive = await buildXdmArchive(archiveInput({ documents: [first, second] }));
    const read = await readXdmArchive(archive.zip, { testOids: true });
    assert.ok(read.ok, JSON.stringify(read));

    const mdms = read.documents.map((document, i) => parseEr7(buildVoletBMessage({
      controlId: `X${i}`, timestamp: new Date(), receivedAt: new Date(),
      sendingApp: 'RELAIS', sendingFacility: 'CH', receivingApp: 'DPI', receivingFacility: 'CH', document,
      mail: { messageId: '<m@x>', subject: 'XDM/1.0/DDM+CR', from: 'a@b.mssante.fr', recipients: [], body: '' },
    })));
    assert.deepEqual(mdms.map((m) => [m.messageType.event, m.segment('TXA')?.get(12), m.segment('TXA')?.get(13), m.segment('PID')?.get(3)]), [
      ['T02', '1.2.250.1.999.2.4001', '', TEST_INS],
      ['T10', '1.2.250.1.999.2.4002', '1.2.250.1.999.2.3999', TEST_INS],
    ]);
    assert.deepEqual(mdms.map((m) => m.all('OBX').slice(2).map((o) => o.get(5)).join('')), ['NYYN', 'NNNY']);
    for (const [i, m] of mdms.entries()) {
      assert.ok(Buffer.from(m.segment('OBX')?.get(5, 5) ?? '', 'base64').equals(read.documents[i]?.cda ?? Buffer.alloc(0)));
      assert.deepEqual(m.all('PRT').map((p) => p.get(4)), ['SB'], 'no recipient known after a manual forward: SB alone');
    }
  });
});
