import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { relais, startRelais } from './testing.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const voletA = join(shared, 'vectors/ans-hl7v2-exemples/Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1');
const mdmInit = join(voletA, 'MDM/Transmission initiale MDM/message_MDM_CR_Radio_INIT_N1_Base64.er7');
const oruDelNeg = join(voletA, 'ORU/Suppression ORU/message_ORU_CR_Bio_DEL_N3_SEGUR.hl7');

describe('relais CLI', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'relais-cli-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validate --json answers AA and exits 0 for the ANS MDM^T02 example with a real CDA', async () => {
    const r = await relais(['validate', mdmInit, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { ack: string; errors: unknown[] };
    assert.equal(out.ack, 'AA');
    assert.deepEqual(out.errors, []);
  });

  it('validate --json answers AE at PID^1^3 and exits 1 when the CDA names another patient', async () => {
    const r = await relais(['validate', oruDelNeg, '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ack: string; errors: { code: string; location: string; text: string }[] };
    assert.equal(out.ack, 'AE');
    assert.ok(out.errors.some((e) => e.location.startsWith('PID^1^3')), JSON.stringify(out.errors));
  });

  it('validate gives every current volet A example the verdict of the vectors manifest', async () => {
    // vectors/MANIFEST.md §2.2–2.3: OK/OK* messages carrying a real CDA → AA; NEG ones and placeholders → AE.
    const older = join(shared, 'vectors/ans-hl7v2-exemples/Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU');
    const cases: [string, 'AA' | 'AE'][] = [
      [mdmInit, 'AA'],
      [join(voletA, 'MDM/Transmission initiale MDM/message_MDM_CR_Radio_INIT_N1.er7'), 'AE'],
      [join(voletA, 'MDM/Remplacement MDM/message_MDM_CR_Radio_RPLC_N1.er7'), 'AA'],
      [join(voletA, 'MDM/Suppression MDM/message_MDM_CR_Radio_DEL_N1.er7'), 'AA'],
      [join(voletA, 'ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N3_SEGUR.hl7'), 'AA'],
      [join(voletA, 'ORU/Remplacement ORU/message_ORU_CR_Bio_RPLC_N3_SEGUR.hl7'), 'AA'],
      [oruDelNeg, 'AE'],
      [join(older, 'Transmission initiale ORU/message_ORU_CR_Bio_INIT_N1_N3.hl7'), 'AE'],
      [join(older, 'Remplacement ORU/message_ORU_CR_Bio_RPLC_N1_N3.er7'), 'AE'],
      [join(older, 'Remplacement ORU/message_ORU_CR_Bio_RPLC_N1_Base64_N3_Base64.er7'), 'AE'],
      [join(older, 'Suppression ORU/message_ORU_CR_Bio_DEL_N1_N3.er7'), 'AE'],
      [join(older, 'Suppression ORU/message_ORU_CR_Bio_DEL_N1_Base64_N3_Base64.er7'), 'AE'],
    ];
    const verdicts = await Promise.all(cases.map(async ([file]) => (JSON.parse((await relais(['validate', file, '--json'])).stdout) as { ack: string }).ack));
    assert.deepEqual(verdicts, cases.map(([, expected]) => expected));
    // Under the literal 2.1.2 matrix, the MDM examples fall outside it: AE 207.
    const strict = JSON.parse((await relais(['validate', mdmInit, '--json', '--profile', '2.1.2'])).stdout) as { ack: string; errors: { code: string }[] };
    assert.equal(strict.ack, 'AE');
    assert.ok(strict.errors.some((e) => e.code === '207/MSS_MATRIX'), JSON.stringify(strict.errors));
  });

  it('validate prints the ACK itself without --json, one segment per line', async () => {
    const r = await relais(['validate', mdmInit]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^MSH\|\^~\\&\|/);
    assert.match(r.stdout, /\nMSA\|AA\|015/);
  });

  it('start stores what send delivers, lists it while running and after SIGTERM', async () => {
    const data = join(dir, 'start');
    const { child, port } = await startRelais(data);
    try {
      const sent = await relais(['send', mdmInit, '--to', `127.0.0.1:${port}`]);
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(sent.stdout, /MSA\|AA\|015/);

      const bad = await relais(['send', oruDelNeg, '--to', `127.0.0.1:${port}`]);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /MSA\|AE\|/);

      const live = await relais(['documents', '--data', data, '--json']);
      assert.equal(live.code, 0, live.stderr);
      const docs = JSON.parse(live.stdout) as { documentId: string; patientIns: string; typeCode: string; controlId: string }[];
      assert.equal(docs.length, 1);
      assert.equal(docs[0]!.controlId, '015');
      assert.equal(docs[0]!.typeCode, '18748-4');
      assert.equal(docs[0]!.patientIns, '279035121518989');
      assert.match(docs[0]!.documentId, /^1\.2\.250\.1\.71\.4\.2\.2\.120456789\.71024000081/);

      const deliveries = await relais(['deliveries', '--data', data, '--json']);
      const rows = JSON.parse(deliveries.stdout) as { kind: string; state: string }[];
      assert.deepEqual(rows.map((d) => d.kind).sort(), ['dmp', 'mss_ps']);
      assert.ok(rows.every((d) => d.state === 'pending'));
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
    const after = await relais(['documents', '--data', data, '--json']);
    assert.equal(after.code, 0, after.stderr);
    assert.equal((JSON.parse(after.stdout) as unknown[]).length, 1);
  });

  it('send exits 2 and says so when nothing answers', async () => {
    const r = await relais(['send', mdmInit, '--to', '127.0.0.1:1', '--timeout', '2000']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no ACK/);
  });

  it('demo --exit feeds the simulated DPI and gets the expected ACK for every message', async () => {
    const r = await relais(['demo', '--exit', '--data', join(dir, 'demo'), '--mllp-port', '0']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✔ AA {2}Lettre de liaison de sortie/);
    assert.match(r.stdout, /✘ AE {2}Message erroné/);
    assert.match(r.stdout, /Documents enregistrés : 7/);
  });

  it('start refuses a bad configuration value, naming the key and the fix', async () => {
    const r = await relais(['start', '--data', join(dir, 'cfg')], { RELAIS_INTAKE__MSS_MATRIX_PROFILE: 'strict' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /intake\.mssMatrixProfile = "strict"/);
    assert.match(r.stderr, /Fix:/);
  });
});
