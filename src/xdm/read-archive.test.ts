import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDeflateRaw } from 'node:zlib';
import { createHash } from 'node:crypto';
import { readCdaHeader } from '../cda/index.js';
import { deterministicUuids } from '../xds/index.js';
import { archiveInput, cdaDocument, goodArchive, TEST_INS } from './testing/fixtures.js';
import { rawZip, unzipAll, type RawEntry } from './testing/raw-zip.js';
import { looksLikeXdm, readXdmArchive } from './read-archive.js';
import { buildXdmArchive } from './write-archive.js';
import type { XdmReadResult } from './types.js';

const vectors = fileURLToPath(new URL('../../../shared/vectors/ihe-iti-examples/XDM/', import.meta.url));
const META = 'IHE_XDM/SUBSET01/METADATA.XML';
const DOC1 = 'IHE_XDM/SUBSET01/DOC00001.XML';

/** The files of the good archive, to rebuild hostile variants byte by byte. */
async function goodFiles(): Promise<RawEntry[]> {
  return (await unzipAll((await goodArchive()).zip)).map((f) => ({ name: f.name, data: f.data }));
}

function edit(files: RawEntry[], name: string, change: (text: string) => string): RawEntry[] {
  return files.map((f) => (f.name === name ? { name, data: Buffer.from(change(f.data?.toString('utf8') ?? ''), 'utf8') } : f));
}

function failure(r: XdmReadResult): { code: string; detail: string; path?: string } {
  assert.equal(r.ok, false, 'the archive must be refused');
  return r.ok ? { code: '', detail: '' } : r;
}

/** Deflate data for `size` zero bytes, produced chunk by chunk: the test never holds the inflated bytes either. */
async function deflatedZeros(size: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const block = Buffer.alloc(1024 * 1024);
  for (let sent = 0; sent < size; sent += block.length) {
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(chunks);
}

describe('readXdmArchive: round trip', () => {
  it('reads back what buildXdmArchive wrote: patient, SubmissionSet, each CDA byte for byte with its header and codes', async () => {
    const input = archiveInput();
    const a = await goodArchive();
    const r = await readXdmArchive(a.zip, { testOids: true });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.patient, { patientId: `${TEST_INS}^^^&1.2.250.1.213.1.4.10&ISO`, ins: TEST_INS, insOid: '1.2.250.1.213.1.4.10' });
    assert.equal(r.submissionSets.length, 1);
    assert.equal(r.submissionSets[0]?.subset, 'SUBSET01');
    assert.equal(r.submissionSets[0]?.sourceId, '1.2.250.1.999.7');
    assert.deepEqual(r.submissionSets[0]?.intendedRecipients, ['|810001234567^X^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS|^^Internet^dr.x@test.mssante.fr']);
    assert.deepEqual(r.documents.map((d) => [d.uri, d.path, d.uniqueId, d.typeCode.code, d.action]), [
      ['DOC00001.XML', DOC1, '1.2.250.1.999.2.3001', '11490-0', 'publish'],
      ['DOC00002.XML', 'IHE_XDM/SUBSET01/DOC00002.XML', '1.2.250.1.999.2.3002', '34874-8', 'publish'],
    ]);
    r.documents.forEach((d, i) => {
      assert.ok(d.cda.equals(input.documents[i]?.cda ?? Buffer.alloc(0)));
      assert.equal(d.header.id.root, d.uniqueId);
      assert.equal(d.replacesUniqueId, undefined);
    });
    assert.deepEqual(r.documents[0]?.confidentialityCodes, [{ code: 'N', codingScheme: '2.16.840.1.113883.5.25', display: 'Normal' }]);
  });

  it('gives the action and the replaced id of a replacement (C) and a deletion (D)', async () => {
    const a = await goodArchive({ documents: [
      cdaDocument({ documentId: { root: '1.2.250.1.999.2.3003' }, replaces: { root: '1.2.250.1.999.2.3001' } }, 'replace'),
      cdaDocument({ typeCode: '34874-8', documentId: { root: '1.2.250.1.999.2.3002' } }, 'delete'),
    ] });
    const r = await readXdmArchive(a.zip, { testOids: true });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.documents.map((d) => [d.action, d.replacesUniqueId]), [['replace', '1.2.250.1.999.2.3001'], ['delete', undefined]]);
  });

  it('refuses the INS test OIDs unless testOids is set', async () => {
    const r = failure(await readXdmArchive((await goodArchive()).zip));
    assert.equal(r.code, 'RLS_XDM_PATIENT');
  });

  it('accepts a production NIR OID and compares the hash case-insensitively', async () => {
    const original = await goodFiles();
    const DOC2 = 'IHE_XDM/SUBSET01/DOC00002.XML';
    const prod = (t: string): string => t.replaceAll('1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.8');
    let files = edit(edit(original, DOC1, prod), DOC2, prod);
    const bytes = (list: RawEntry[], name: string): Buffer => list.find((f) => f.name === name)?.data ?? Buffer.alloc(0);
    const sha = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
    const slots = (b: Buffer): string => `<rim:Value>${sha(b)}</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="size"><rim:ValueList><rim:Value>${b.length}<`;
    files = edit(files, META, (t) => prod(t)
      .replace(slots(bytes(original, DOC1)), slots(bytes(files, DOC1)).replace(sha(bytes(files, DOC1)), sha(bytes(files, DOC1)).toUpperCase()))
      .replace(slots(bytes(original, DOC2)), slots(bytes(files, DOC2))));
    const r = await readXdmArchive(rawZip(files));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.patient.insOid, '1.2.250.1.213.1.4.8');
  });
});

describe('readXdmArchive: hostile archives', () => {
  const expectCode = async (zip: Buffer, code: string, options = {}): Promise<{ code: string; detail: string; path?: string }> => {
    const r = failure(await readXdmArchive(zip, { testOids: true, ...options }));
    assert.equal(r.code, code, r.detail);
    return r;
  };

  it('refuses bytes that are not a zip', async () => {
    await expectCode(Buffer.from('Document medical au format CDA niveau 1'), 'RLS_XDM_NOT_ZIP');
    await expectCode(Buffer.alloc(0), 'RLS_XDM_NOT_ZIP');
  });

  it('refuses a high-ratio entry (zip bomb) from its header, before inflating it', async () => {
    const bomb = await deflatedZeros(16 * 1024 * 1024);
    const files = [...await goodFiles(), { name: 'IHE_XDM/SUBSET01/BOMB.BIN', compressed: bomb, declaredSize: 16 * 1024 * 1024 }];
    const r = await expectCode(rawZip(files), 'RLS_XDM_LIMIT');
    assert.match(r.detail, /ratio/);
    // An honest header claiming more than the per-entry cap is refused as such.
    await expectCode(rawZip(files), 'RLS_XDM_LIMIT', { maxEntryBytes: 1024 * 1024, maxRatio: 1e9 });
  });

  it('stops a bomb whose header understates its size without allocating what it inflates to', async () => {
    const claimed = 256 * 1024 * 1024;
    const bomb = await deflatedZeros(claimed);
    let files = await goodFiles();
    // DOC00001.XML says 8 KB in both the zip header and METADATA.XML, but inflates to 256 MB.
    const size = files.find((f) => f.name === DOC1)?.data?.length ?? 0;
    files = files.map((f) => (f.name === DOC1 ? { name: DOC1, compressed: bomb, declaredSize: size } : f));
    const before = process.memoryUsage().arrayBuffers;
    const r = await expectCode(rawZip(files), 'RLS_XDM_LIMIT');
    assert.equal(r.path, DOC1);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'far less than the inflated size was held');
  });

  it('refuses too many entries from the central directory count', async () => {
    const files = [...await goodFiles(), ...Array.from({ length: 200 }, (_, i) => ({ name: `X/F${i}.TXT`, data: Buffer.from('x') }))];
    await expectCode(rawZip(files), 'RLS_XDM_LIMIT');
    await expectCode(rawZip(await goodFiles()), 'RLS_XDM_LIMIT', { maxEntries: 4 });
  });

  it('refuses too many uncompressed bytes in all', async () => {
    await expectCode(rawZip(await goodFiles()), 'RLS_XDM_LIMIT', { maxTotalBytes: 20_000 });
  });

  for (const [name, label] of [
    ['../x', 'parent folder'], ['IHE_XDM/../../etc/passwd', 'parent folder'], ['/abs', 'absolute path'],
    ['IHE_XDM\\SUBSET01\\X.XML', 'backslash'], ['C:/x', 'drive letter'], ['IHE_XDM//X', 'empty'],
  ] as const) {
    it(`refuses the entry name ${JSON.stringify(name)} (${label})`, async () => {
      const r = await expectCode(rawZip([...await goodFiles(), { name, data: Buffer.from('x') }]), 'RLS_XDM_UNSAFE_ENTRY');
      assert.match(r.detail, new RegExp(label));
      assert.equal(await looksLikeXdm(rawZip([...await goodFiles(), { name, data: Buffer.from('x') }])), false);
    });
  }

  it('refuses duplicate names (also differing only in case), encrypted entries and symbolic links', async () => {
    const files = await goodFiles();
    const doc = files.find((f) => f.name === DOC1);
    assert.ok(doc);
    await expectCode(rawZip([...files, doc]), 'RLS_XDM_UNSAFE_ENTRY');
    await expectCode(rawZip([...files, { ...doc, name: DOC1.toLowerCase() }]), 'RLS_XDM_UNSAFE_ENTRY');
    await expectCode(rawZip(files.map((f) => (f.name === DOC1 ? { ...f, encrypted: true } : f))), 'RLS_XDM_UNSAFE_ENTRY');
    const link = await expectCode(rawZip(files.map((f) => (f.name === DOC1 ? { name: DOC1, data: Buffer.from('/etc/passwd'), unixMode: 0o120777 } : f))),
      'RLS_XDM_UNSAFE_ENTRY');
    assert.match(link.detail, /link/);
    // A regular file with a Unix mode is fine.
    const r = await readXdmArchive(rawZip(files.map((f) => ({ ...f, unixMode: 0o100644 }))), { testOids: true });
    assert.ok(r.ok, JSON.stringify(r));
  });

  it('refuses a wrong hash, a wrong size and a missing file', async () => {
    const files = await goodFiles();
    const hash = await expectCode(rawZip(edit(files, META, (t) => t.replace(/(<rim:Slot name="hash"><rim:ValueList><rim:Value>)[0-9a-f]/, '$1_'))),
      'RLS_XDM_HASH_MISMATCH');
    assert.equal(hash.path, DOC1);
    const size = await expectCode(rawZip(edit(files, META, (t) => t.replace(/(<rim:Slot name="size"><rim:ValueList><rim:Value>)([0-9]+)/,
      (_m, p: string, n: string) => `${p}${Number(n) + 1}`))), 'RLS_XDM_SIZE_MISMATCH');
    assert.equal(size.path, DOC1);
    // Same bytes count, one byte changed: only the hash can tell.
    const flipped = edit(files, DOC1, (t) => t.replace('FICTIF-NOM', 'FICTIF-NON'));
    await expectCode(rawZip(flipped), 'RLS_XDM_HASH_MISMATCH');
    await expectCode(rawZip(files.filter((f) => f.name !== DOC1)), 'RLS_XDM_DOCUMENT_MISSING');
    await expectCode(rawZip(edit(files, META, (t) => t.replace('<rim:Value>DOC00001.XML<', '<rim:Value>../../INDEX.HTM<'))), 'RLS_XDM_DOCUMENT_MISSING');
  });

  it('refuses two patients: patientIds that differ, or a CDA about another patient than the metadata', async () => {
    const files = await goodFiles();
    const other = '170000000000002';
    await expectCode(rawZip(edit(files, META, (t) => t.replace(
      /(identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446" value=")[0-9]{15}/, `$1${other}`))), 'RLS_XDM_PATIENT');
    const r = await expectCode(rawZip(edit(files, META, (t) => t.replaceAll(`${TEST_INS}^^^`, `${other}^^^`))), 'RLS_XDM_PATIENT');
    assert.equal(r.path, DOC1);
  });

  it('reads every SUBSET folder, and refuses two subsets about two patients', async () => {
    const files = await goodFiles();
    const second = files.filter((f) => f.name.startsWith('IHE_XDM/SUBSET01/')).map((f) => ({ ...f, name: f.name.replace('SUBSET01', 'SUBSET02') }));
    const both = await readXdmArchive(rawZip([...files, ...second]), { testOids: true });
    assert.ok(both.ok, JSON.stringify(both));
    assert.deepEqual(both.submissionSets.map((s) => s.subset), ['SUBSET01', 'SUBSET02']);
    assert.deepEqual(both.documents.map((d) => d.path.split('/')[1]), ['SUBSET01', 'SUBSET01', 'SUBSET02', 'SUBSET02']);
    const otherPatient = edit(second, 'IHE_XDM/SUBSET02/METADATA.XML', (t) => t.replaceAll(`${TEST_INS}^^^`, '170000000000002^^^'));
    await expectCode(rawZip([...files, ...otherPatient]), 'RLS_XDM_PATIENT');
  });

  it('refuses a METADATA.XML with a DOCTYPE, one that is not XML, and an archive without one', async () => {
    const files = await goodFiles();
    const dtd = await expectCode(rawZip(edit(files, META, (t) => t.replace('?>', '?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'))), 'RLS_XDM_BAD_METADATA');
    assert.match(dtd.detail, /RLS_CDA_FORBIDDEN_DTD/);
    await expectCode(rawZip(edit(files, META, () => 'not xml')), 'RLS_XDM_BAD_METADATA');
    await expectCode(rawZip(edit(files, META, (t) => t.replace('</rim:RegistryObjectList>', '<rim:Association/></rim:RegistryObjectList'))), 'RLS_XDM_BAD_METADATA');
    await expectCode(rawZip(files.filter((f) => f.name !== META)), 'RLS_XDM_NO_METADATA');
    await expectCode(rawZip(edit(files, META, (t) => t.replace('size', 'taille'))), 'RLS_XDM_BAD_METADATA', {});
    await expectCode(rawZip(files), 'RLS_XDM_LIMIT', { maxMetadataBytes: 1000 });
  });

  it('refuses a CDA that is not XML, one with a DOCTYPE, and one whose id or code differs from its entry', async () => {
    const files = await goodFiles();
    const withDoc = (bytes: Buffer): RawEntry[] => {
      const original = files.find((f) => f.name === DOC1)?.data ?? Buffer.alloc(0);
      const sha = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
      return edit(files, META, (t) => t.replace(sha(original), sha(bytes)).replace(`<rim:Value>${original.length}<`, `<rim:Value>${bytes.length}<`))
        .map((f) => (f.name === DOC1 ? { name: DOC1, data: bytes } : f));
    };
    const cda = files.find((f) => f.name === DOC1)?.data?.toString('utf8') ?? '';
    const notXml = await expectCode(rawZip(withDoc(Buffer.from('Document medical au format CDA niveau 1'))), 'RLS_XDM_CDA_INVALID');
    assert.match(notXml.detail, /RLS_CDA_NOT_XML/);
    await expectCode(rawZip(withDoc(Buffer.from(cda.replace('?>', '?><!DOCTYPE ClinicalDocument [<!ENTITY x "y">]>')))), 'RLS_XDM_CDA_INVALID');
    await expectCode(rawZip(withDoc(Buffer.from(cda.replace('1.2.250.1.999.2.3001', '1.2.250.1.999.2.3999')))), 'RLS_XDM_CDA_MISMATCH');
    await expectCode(rawZip(withDoc(Buffer.from(cda.replace('code="11490-0"', 'code="34874-8"')))), 'RLS_XDM_CDA_MISMATCH');
  });

  it('refuses an unknown action, and a C whose CDA names no replaced version', async () => {
    const files = await goodFiles();
    const withAction = (v: string): RawEntry[] => edit(files, META, (t) => t.replace('<rim:Slot name="URI">',
      `<rim:Slot name="action"><rim:ValueList><rim:Value>${v}</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="URI">`));
    await expectCode(rawZip(withAction('X')), 'RLS_XDM_ACTION');
    await expectCode(rawZip(withAction('C')), 'RLS_XDM_ACTION');
    const d = await readXdmArchive(rawZip(withAction('d')), { testOids: true });
    assert.ok(d.ok, JSON.stringify(d));
    assert.equal(d.documents[0]?.action, 'delete');
  });
});

describe('looksLikeXdm and the IHE XDM samples', () => {
  it('tells an XDM layout from another zip, from its central directory', async () => {
    assert.equal(await looksLikeXdm((await goodArchive()).zip), true);
    assert.equal(await looksLikeXdm(rawZip([{ name: 'IHE_XDM/SUBSET01/DOC00001.XML', data: Buffer.from('<x/>') }])), false);
    assert.equal(await looksLikeXdm(rawZip([{ name: 'photos/a.jpg', data: Buffer.from('x') }])), false);
    assert.equal(await looksLikeXdm(Buffer.from('%PDF-1.4')), false);
  });

  for (const sample of ['XDM_SAMPLE4.zip', 'XDM_SAMPLE5.zip']) {
    it(`${sample}: detected as XDM, parsed, and refused only because its patient has no INS`, async () => {
      const zip = readFileSync(`${vectors}${sample}`);
      assert.equal(await looksLikeXdm(zip), true);
      const r = failure(await readXdmArchive(zip, { testOids: true }));
      assert.equal(r.code, 'RLS_XDM_PATIENT');
      assert.match(r.detail, /not an INS/);
    });
  }
});

describe('the ANS volet B example documents, through an archive and back', () => {
  const folder = fileURLToPath(new URL(
    '../../../shared/vectors/ans-hl7v2-exemples/Vague 2/Trans_LPS_CDA_MSSanté/TRANSMISSION_LPS_DOC_CDA_COURRIEL_FROM_MSSANTE_V1.1/', import.meta.url));
  // MANIFEST §2.4: the three MDMs are OK-1.1 / OK* (defects only in base64 padding and MSH-6); the CDAs are fixtures.
  const cases = [
    { dir: 'Transmission initiale MDM', cda: 'CR_Radio_CDAN1_v1.XML', mdm: 'message_MDM__LPS_MSS_CR_Radio_INIT_N1.er7', action: 'publish', event: 'T02' },
    { dir: 'Remplacement MDM', cda: 'CR_Radio_CDAN1_v2.XML', mdm: 'message_MDM__LPS_MSS_CR_Radio_RPLC_N1.er7', action: 'replace', event: 'T10' },
    { dir: 'Suppression MDM', cda: 'CR_Radio_CDAN1_v2.XML', mdm: 'message_MDM__LPS_MSS_CR_Radio_DEL_N1.er7', action: 'delete', event: 'T04' },
  ] as const;

  for (const c of cases) {
    it(`${c.dir}: the reader gives what the ${c.event} MDM of the example carries (TXA-12, TXA-13, PID-3)`, async () => {
      const mdm = readFileSync(`${folder}${c.dir}/${c.mdm}`, 'utf8').split(/\r\n|\r|\n/);
      const field = (seg: string, n: number): string => mdm.find((l) => l.startsWith(`${seg}|`))?.split('|')[n] ?? '';
      assert.equal(field('MSH', 8).split('^')[1], c.event);
      const pid3 = field('PID', 3).split('^');
      const cda = readFileSync(`${folder}${c.dir}/${c.cda}`);
      const doc = { ...cdaDocument(), cda, header: readCdaHeader(cda), action: c.action };
      const archive = await buildXdmArchive(archiveInput({ patient: { ins: pid3[0] ?? '', insOid: '1.2.250.1.213.1.4.10' }, documents: [doc] }),
        { newUuid: deterministicUuids(c.dir) });
      const r = await readXdmArchive(archive.zip, { testOids: true });
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.patient.ins, pid3[0]);
      const d = r.documents[0];
      assert.ok(d);
      assert.equal(d.action, c.action);
      assert.equal(d.uniqueId, field('TXA', 12).split('^')[0]);
      assert.equal(d.typeCode.code, field('TXA', 2));
      assert.ok(d.cda.equals(cda));
      if (c.action === 'replace') assert.equal(d.replacesUniqueId, field('TXA', 13).split('^')[0]);
    });
  }
});
