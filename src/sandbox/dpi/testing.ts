/**
 * Test support (excluded from the build): volet B MDMs for the sandbox DPI's tests, built from the ANS volet B CDA.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCdaHeader } from '../../cda/index.js';
import { buildVoletBMessage } from '../../cisis/index.js';
import { examplesDir } from '../../cisis/testing/mutate.js';

const cda = readFileSync(join(examplesDir,
  'Vague 2/Trans_LPS_CDA_MSSanté/TRANSMISSION_LPS_DOC_CDA_COURRIEL_FROM_MSSANTE_V1.1/Transmission initiale MDM/CR_Radio_CDAN1_v1.XML'));
const header = readCdaHeader(cda);

/** The INS of the ANS test patient the CDA is about. */
export const exampleIns = '279035121518989';
export const exampleDocumentId = header.id.root;

/** An MDM^T02 for the example CDA; `ins` puts another patient's INS in PID-3. */
export function voletBMdm(controlId: string, ins = exampleIns): string {
  const patient = { ...header.patient, ids: [{ root: '1.2.250.1.213.1.4.10', extension: ins }] };
  return buildVoletBMessage({
    controlId, timestamp: new Date(), receivedAt: new Date(),
    sendingApp: 'RELAIS', sendingFacility: 'CH-TEST', receivingApp: 'DPI', receivingFacility: 'CH-TEST',
    document: { cda, header: { ...header, patient }, action: 'publish', confidentialityCodes: [] },
    mail: { messageId: `<${controlId}@mss.test>`, subject: 'XDM/1.0/DDM+CR', from: 'a@b.mssante.fr', recipients: ['dpi@c.mssante.fr'], body: 'Corps' },
  });
}
