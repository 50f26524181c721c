import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { loadSafeXml } from '../cda/index.js';
import { isRelaisError } from '../domain/index.js';
import { deterministicUuids, XDS_UUID } from '../xds/index.js';
import { archiveInput, cdaDocument, goodArchive, TEST_INS } from './testing/fixtures.js';
import { unzipAll } from './testing/raw-zip.js';
import { buildXdmArchive, replacedEntryUuid } from './write-archive.js';
import { isIso9660Name } from './xdm-names.js';

const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
const noXmllint = spawnSync('xmllint', ['--version']).error === undefined ? false : 'xmllint is not installed';
const dir = mkdtempSync(join(tmpdir(), 'relais-xdm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function validate(xml: string, name: string): { status: number | null; stderr: string } {
  const file = join(dir, name);
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', `${shared}schemas/ihe/ebRS/lcm.xsd`, file], {
    env: { ...process.env, XML_CATALOG_FILES: `${shared}schemas/ihe/catalog.xml` }, encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr };
}

function rim(root: Element, name: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(RIM, name));
}

function slotValues(e: Element, name: string): string[] {
  const s = rim(e, 'Slot').find((x) => x.getAttribute('name') === name && x.parentNode === e);
  return s === undefined ? [] : rim(s, 'Value').map((v) => v.textContent ?? '');
}

function metadataRoot(xml: string): Element {
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  assert.ok(root);
  return root;
}

describe('buildXdmArchive', () => {
  it('writes the ITI-32 layout with 8.3 names, and each entry\'s SHA-1 and size are those of the bytes in the zip', async () => {
    const input = archiveInput();
    const a = await goodArchive();
    assert.deepEqual(a.entries.map((e) => e.path), [
      'INDEX.HTM', 'README.TXT', 'IHE_XDM/SUBSET01/METADATA.XML', 'IHE_XDM/SUBSET01/DOC00001.XML', 'IHE_XDM/SUBSET01/DOC00002.XML',
    ]);
    for (const e of a.entries) assert.ok(e.path.split('/').every(isIso9660Name), e.path);
    const files = await unzipAll(a.zip);
    assert.deepEqual(files.map((f) => f.name), a.entries.map((e) => e.path));
    for (const [i, f] of files.entries()) {
      assert.equal(a.entries[i]?.sha1, createHash('sha1').update(f.data).digest('hex'));
      assert.equal(a.entries[i]?.size, f.data.length);
    }
    assert.ok(files[3]?.data.equals(input.documents[0]?.cda ?? Buffer.alloc(0)));
    assert.ok(files[4]?.data.equals(input.documents[1]?.cda ?? Buffer.alloc(0)));
    assert.equal(files[2]?.data.toString('utf8'), a.metadataXml);
  });

  it('describes both documents in one SubmissionSet with hash, size, URI, recipients and real urn:uuid ids', async () => {
    const input = archiveInput();
    const a = await goodArchive();
    const root = metadataRoot(a.metadataXml);
    const entries = rim(root, 'ExtrinsicObject');
    assert.equal(entries.length, 2);
    const packages = rim(root, 'RegistryPackage');
    assert.equal(packages.length, 1);
    const ssId = packages[0]?.getAttribute('id') ?? '';
    entries.forEach((e, i) => {
      const cda = input.documents[i]?.cda ?? Buffer.alloc(0);
      assert.deepEqual(slotValues(e, 'hash'), [createHash('sha1').update(cda).digest('hex')]);
      assert.deepEqual(slotValues(e, 'size'), [String(cda.length)]);
      assert.deepEqual(slotValues(e, 'URI'), [`DOC0000${i + 1}.XML`]);
      assert.deepEqual(slotValues(e, 'action'), []);
      assert.equal(e.getAttribute('objectType'), XDS_UUID.documentEntryType);
    });
    const uuid = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const name of ['ExtrinsicObject', 'RegistryPackage', 'Association', 'Classification', 'ExternalIdentifier']) {
      for (const e of rim(root, name)) assert.match(e.getAttribute('id') ?? '', uuid, name);
    }
    const members = rim(root, 'Association').filter((x) => x.getAttribute('associationType')?.endsWith('HasMember'));
    assert.deepEqual(members.map((m) => [m.getAttribute('sourceObject'), m.getAttribute('targetObject')]),
      entries.map((e) => [ssId, e.getAttribute('id')]));
    assert.deepEqual(slotValues(packages[0] as Element, 'intendedRecipient'),
      ['|810001234567^X^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS|^^Internet^dr.x@test.mssante.fr']);
    const patientIds = rim(root, 'ExternalIdentifier').filter((x) => /patientId$/.test(rim(x, 'LocalizedString')[0]?.getAttribute('value') ?? ''));
    assert.equal(patientIds.length, 3);
    for (const p of patientIds) assert.equal(p.getAttribute('value'), `${TEST_INS}^^^&1.2.250.1.213.1.4.10&ISO`);
  });

  it('METADATA.XML validates against the ebRS 3.0 lcm schema, also with a replacement and a deletion', { skip: noXmllint }, async () => {
    const a = await goodArchive();
    const r = validate(a.metadataXml, 'metadata.xml');
    assert.equal(r.status, 0, r.stderr);
    const c = await goodArchive({ documents: [
      cdaDocument({ documentId: { root: '1.2.250.1.999.2.3003' }, replaces: { root: '1.2.250.1.999.2.3001' } }, 'replace'),
      cdaDocument({ typeCode: '34874-8', documentId: { root: '1.2.250.1.999.2.3002' } }, 'delete'),
    ] });
    const rc = validate(c.metadataXml, 'metadata-cd.xml');
    assert.equal(rc.status, 0, rc.stderr);
  });

  it('gives the same bytes for the same input and ids, and other bytes for other ids', async () => {
    const a = await goodArchive();
    const b = await goodArchive();
    assert.ok(a.zip.equals(b.zip));
    const c = await buildXdmArchive(archiveInput(), { newUuid: deterministicUuids('another seed') });
    assert.ok(!c.zip.equals(a.zip));
  });

  it('marks a replacement C with an RPLC to the replaced version, and a deletion D without one', async () => {
    const replacement = cdaDocument({ documentId: { root: '1.2.250.1.999.2.3003' }, replaces: { root: '1.2.250.1.999.2.3001' } }, 'replace');
    const a = await goodArchive({ documents: [replacement, cdaDocument({ typeCode: '34874-8', documentId: { root: '1.2.250.1.999.2.3002' } }, 'delete')] });
    const root = metadataRoot(a.metadataXml);
    const [first, second] = rim(root, 'ExtrinsicObject');
    assert.ok(first && second);
    assert.deepEqual(slotValues(first, 'action'), ['C']);
    assert.deepEqual(slotValues(second, 'action'), ['D']);
    const rplc = rim(root, 'Association').filter((x) => x.getAttribute('associationType') === 'urn:ihe:iti:2007:AssociationType:RPLC');
    assert.deepEqual(rplc.map((x) => [x.getAttribute('sourceObject'), x.getAttribute('targetObject')]),
      [[first.getAttribute('id'), replacedEntryUuid('1.2.250.1.999.2.3001')]]);
    // The replaced entry's own id wins when the caller kept it.
    const known = 'urn:uuid:0b7f6a2e-4c7e-4a51-9d3e-1f2a3b4c5d6e';
    const b = await goodArchive({ documents: [{ ...replacement, replaces: { uniqueId: '1.2.250.1.999.2.3001', entryUUID: known } }] });
    assert.match(b.metadataXml, new RegExp(`targetObject="${known}"`));
  });

  it('refuses a replacement whose CDA names no replaced document, and a document of another patient', async () => {
    await assert.rejects(goodArchive({ documents: [cdaDocument({}, 'replace')] }),
      (e: unknown) => isRelaisError(e) && e.code === 'RLS_XDS_REPLACEMENT');
    const other = cdaDocument({ documentId: { root: '1.2.250.1.999.2.3009' },
      patient: { ins: '170000000000002', insOid: '1.2.250.1.213.1.4.10', ipp: 'IPP-43', ippAuthority: '1.2.250.1.999.1',
        family: 'AUTRE', given: ['DOMINIQUE'], gender: 'M', birthDate: '19700101', birthPlace: '75056' } });
    await assert.rejects(goodArchive({ documents: [cdaDocument(), other] }),
      (e: unknown) => isRelaisError(e) && e.code === 'RLS_XDS_PATIENT_ID');
  });

  it('escapes sender values in INDEX.HTM (well-formed XHTML) and keeps README.TXT lines intact', async () => {
    const sender = { organisation: 'CH <Saint> & "Fils"', contact: ['tel\r\nForged: line'], software: { name: 'Relais', version: '1.0', vendor: 'A&B' } };
    const a = await goodArchive({ sender });
    const files = await unzipAll(a.zip);
    const index = files.find((f) => f.name === 'INDEX.HTM')?.data ?? Buffer.alloc(0);
    const html = loadSafeXml(index).documentElement;
    assert.equal(html?.getElementsByTagName('h1')[0]?.textContent, 'CH <Saint> & "Fils"');
    const links = Array.from(html?.getElementsByTagName('a') ?? []).map((x) => x.getAttribute('href'));
    assert.deepEqual(links, ['README.TXT', 'IHE_XDM/SUBSET01/DOC00001.XML', 'IHE_XDM/SUBSET01/DOC00002.XML']);
    const readme = files.find((f) => f.name === 'README.TXT')?.data.toString('utf8') ?? '';
    const lines = readme.split('\r\n');
    assert.ok(lines.includes('Contact : tel Forged: line'));
    assert.ok(lines.includes('Logiciel : Relais 1.0 (A&B)'));
    assert.ok(!/[^\r]\n/.test(readme), 'every line ends with CRLF');
  });
});
