import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRelaisError } from '../domain/index.js';
import { readCdaHeader } from './cda-header.js';
import { extractNonXmlBody } from './non-xml-body.js';
import { segurDocumentTypes } from './segur-document-types.js';
import { syntheticCda, type SyntheticDocumentOptions } from './synthetic-cda.js';

const schema = fileURLToPath(new URL('../../../shared/schemas/cda/CDA_extended.xsd', import.meta.url));
const xmllintMissing = spawnSync('xmllint', ['--version']).error !== undefined;

const base: Omit<SyntheticDocumentOptions, 'typeCode' | 'level'> = {
  patient: {
    ins: '248000000000001', insOid: '1.2.250.1.213.1.4.10', ipp: 'IPP-42', ippAuthority: '1.2.250.1.999.1',
    family: 'FICTIF-NOM', given: ['CAMILLE', 'ANNE'], gender: 'F', birthDate: '19800214', birthPlace: '63113',
  },
  documentId: { root: '1.2.250.1.999.2.1001' },
  effectiveTime: new Date('2025-01-15T09:30:00Z'),
  author: { rpps: '10001234567', family: 'MARTIN', given: 'Paul' },
  organization: { finess: '630000001', name: 'Centre hospitalier <Démo> & associés' },
};

function validate(xml: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'relais-cda-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('syntheticCda round trip through readCdaHeader', () => {
  for (const type of segurDocumentTypes) {
    for (const level of ['N1', 'N3'] as const) {
      it(`keeps ids, code and patient of a ${level} ${type.code} document`, () => {
        const xml = syntheticCda({ ...base, typeCode: type.code, level });
        for (const scope of ['full', 'header'] as const) {
          const h = readCdaHeader(Buffer.from(xml, 'utf8'), { scope });
          assert.deepEqual(h.id, base.documentId);
          assert.deepEqual(h.setId, base.documentId);
          assert.equal(h.versionNumber, '1');
          assert.deepEqual({ code: h.code.code, system: h.code.codeSystem }, { code: type.code, system: type.codeSystem });
          assert.equal(h.title, type.label);
          assert.equal(h.level, level);
          assert.equal(h.recordTargetCount, 1);
          assert.deepEqual(h.patient, {
            ids: [{ root: '1.2.250.1.213.1.4.10', extension: '248000000000001' }, { root: '1.2.250.1.999.1', extension: 'IPP-42' }],
            given: ['CAMILLE', 'ANNE'], birthFamily: 'FICTIF-NOM', usedFamily: 'FICTIF-NOM', firstGiven: 'CAMILLE', usedGiven: 'CAMILLE',
            gender: 'F', birthTime: '19800214', birthPlaceCode: '63113',
          });
          assert.deepEqual(h.relatedDocuments, []);
        }
      });
    }
  }

  it('writes the CI-SIS header elements the XDS metadata come from', () => {
    const h = readCdaHeader(syntheticCda({ ...base, typeCode: '11490-0', level: 'N1' }));
    assert.equal(h.effectiveTime, '20250115103000+0100');
    assert.deepEqual(h.confidentialityCode, { code: 'N', codeSystem: '2.16.840.1.113883.5.25', displayName: 'Normal' });
    assert.equal(h.languageCode, 'fr-FR');
    assert.deepEqual(h.templateIds.map((t) => t.root), ['2.16.840.1.113883.2.8.2.1', '1.2.250.1.213.1.1.1.1', '1.3.6.1.4.1.19376.1.2.20']);
    assert.deepEqual(h.authors[0]?.person, { ids: [{ root: '1.2.250.1.71.4.2.1', extension: '810001234567' }], family: 'MARTIN', given: ['Paul'], prefix: 'DR' });
    assert.equal(h.authors[0]?.specialty?.code, 'G15_10/SM27');
    const org = { ids: [{ root: '1.2.250.1.71.4.2.2', extension: '1630000001' }], name: 'Centre hospitalier <Démo> & associés' };
    assert.deepEqual(h.authors[0]?.organization, org);
    assert.deepEqual(h.custodian, org);
    assert.equal(h.legalAuthenticator?.person?.family, 'MARTIN');
    assert.equal(h.serviceEvent?.effectiveLow, '20250111103000+0100');
    assert.equal(h.practiceSetting?.code, 'ETABLISSEMENT');
    assert.equal(h.encompassingEncounter?.code?.code, 'IMP');
    assert.equal(h.encompassingEncounter?.healthcareFacilityType?.code, 'SA01');
    assert.equal(h.encompassingEncounter?.locationName, 'Centre hospitalier <Démo> & associés');
    assert.deepEqual(h.nonXmlBody, { mediaType: 'application/pdf', representation: 'B64' });
  });

  it('adds relatedDocument RPLC with the parent id, set id and version when it replaces a document', () => {
    const xml = syntheticCda({ ...base, typeCode: '34874-8', level: 'N3', documentId: { root: '1.2.250.1.999.2.1002' },
      setId: { root: '1.2.250.1.999.3.7' }, version: 2, replaces: { root: '1.2.250.1.999.2.1001' } });
    const h = readCdaHeader(xml, { scope: 'header' });
    assert.equal(h.versionNumber, '2');
    assert.deepEqual(h.setId, { root: '1.2.250.1.999.3.7' });
    assert.deepEqual(h.relatedDocuments, [{ typeCode: 'RPLC', parentIds: [{ root: '1.2.250.1.999.2.1001' }], parentSetId: { root: '1.2.250.1.999.3.7' }, parentVersion: '1' }]);
  });

  it('writes the French summer offset (+0200) in July', () => {
    const h = readCdaHeader(syntheticCda({ ...base, typeCode: '11502-2', level: 'N1', effectiveTime: new Date('2025-07-01T10:00:00Z') }));
    assert.equal(h.effectiveTime, '20250701120000+0200');
  });

  it('keeps an id extension and extra templateIds', () => {
    const h = readCdaHeader(syntheticCda({ ...base, typeCode: '57833-6', level: 'N3', documentId: { root: '1.2.250.1.999', extension: 'ORD-1' },
      templateIds: [{ root: '1.2.250.1.213.1.1.1.39', extension: '2024.01' }] }));
    assert.deepEqual(h.id, { root: '1.2.250.1.999', extension: 'ORD-1' });
    assert.deepEqual(h.templateIds.at(-1), { root: '1.2.250.1.213.1.1.1.39', extension: '2024.01' });
  });
});

describe('syntheticCda bodies', () => {
  it('embeds a PDF in the N1 nonXMLBody that shows the header data and the text', () => {
    const body = extractNonXmlBody(syntheticCda({ ...base, typeCode: '34874-8', level: 'N1' }));
    assert.equal(body?.mediaType, 'application/pdf');
    const pdf = body?.bytes.toString('latin1') ?? '';
    assert.ok(pdf.startsWith('%PDF-1.4'));
    for (const s of ['Compte rendu op\xe9ratoire \\(34874-8\\)', 'Dr Paul MARTIN', 'Centre hospitalier <Démo> & associés', '15/01/2025 \xe0 10h30', 'INDICATION OP\xc9RATOIRE']) {
      assert.ok(pdf.includes(s), s);
    }
  });

  it('writes N3 narrative sections and the Ségur PDF copy section', () => {
    const xml = syntheticCda({ ...base, typeCode: '18748-4', level: 'N3' });
    assert.equal((xml.match(/<section>/g) ?? []).length, 5);
    assert.match(xml, /<title>Conclusion<\/title>/);
    assert.match(xml, /<templateId root="1\.2\.250\.1\.213\.1\.1\.2\.243"\/>/);
    assert.equal(extractNonXmlBody(xml), undefined);
    assert.ok(extractNonXmlBody(xml, { includeN3Copy: true })?.bytes.toString('latin1').startsWith('%PDF-1.4'));
  });

  it('makes a document of about 240 KB when asked for a 175 KB PDF, like the ANS example', () => {
    const xml = syntheticCda({ ...base, typeCode: '11490-0', level: 'N1', pdfBytes: 175_000 });
    const size = Buffer.byteLength(xml);
    assert.ok(size > 230_000 && size < 250_000, String(size));
    const pdf = extractNonXmlBody(xml)?.bytes.length ?? 0;
    assert.ok(Math.abs(pdf - 175_000) < 1024, String(pdf));
  });

  it('gives the same text for the same options', () => {
    const o: SyntheticDocumentOptions = { ...base, typeCode: '11488-4', level: 'N3', pdfBytes: 20_000 };
    assert.equal(syntheticCda(o), syntheticCda({ ...o }));
  });

  it('answers RLS_CONFIG_INVALID for a type code that is not a Ségur type', () => {
    try {
      syntheticCda({ ...base, typeCode: '34874-5', level: 'N1' });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(isRelaisError(e));
      assert.equal(e.code, 'RLS_CONFIG_INVALID');
    }
  });
});

describe('syntheticCda against the CDA schema', () => {
  const skip = xmllintMissing ? 'xmllint is not installed (apt-get install libxml2-utils); schema check skipped' : false;
  const cases: [string, SyntheticDocumentOptions][] = [
    ['an N1 lettre de liaison', { ...base, typeCode: '11490-0', level: 'N1' }],
    ['an N3 CR de biologie replacing a document', { ...base, typeCode: '11502-2', level: 'N3', version: 2, replaces: { root: '1.2.250.1.999.2.1000' } }],
    ['an N3 prescription with a TRE_A05 code and an id extension', { ...base, typeCode: 'PRESC-KINE', level: 'N3', documentId: { root: '1.2.250.1.999', extension: 'K-1' } }],
  ];
  for (const [name, options] of cases) {
    it(`validates ${name} against CDA_extended.xsd`, { skip }, () => {
      const r = validate(syntheticCda(options));
      assert.ok(r.ok, r.output);
    });
  }

  it('can fail: xmllint refuses a synthetic document with an element out of schema order', { skip }, () => {
    const xml = syntheticCda({ ...base, typeCode: '11490-0', level: 'N1' }).replace('<languageCode code="fr-FR"/>', '').replace('<realmCode code="FR"/>', '<realmCode code="FR"/><languageCode code="fr-FR"/>');
    assert.equal(validate(xml).ok, false);
  });
});
