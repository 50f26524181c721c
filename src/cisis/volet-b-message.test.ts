import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEr7, type Hl7Message, type Hl7Segment } from '../hl7/index.js';
import { readCdaHeader } from '../cda/index.js';
import { isRelaisError } from '../domain/index.js';
import { buildVoletBMessage, voletBFlags, type VoletBAction, type VoletBInput } from './volet-b-message.js';
import { decodeBase64 } from './base64.js';
import { examplesDir } from './testing/mutate.js';

const voletB = join(examplesDir, 'Vague 2/Trans_LPS_CDA_MSSanté/TRANSMISSION_LPS_DOC_CDA_COURRIEL_FROM_MSSANTE_V1.1');
const file = (folder: string, name: string): Buffer => readFileSync(join(voletB, folder, name));
/** The CDA each example carries (decoded from its document OBX: the folder's XML files differ from it in bytes). */
function embeddedCda(folder: string, name: string): Buffer {
  const decoded = decodeBase64(parseEr7(file(folder, name)).segment('OBX')?.get(5, 5) ?? '');
  assert.ok(decoded.ok);
  return decoded.bytes;
}
const cdaV1 = embeddedCda('Transmission initiale MDM', 'message_MDM__LPS_MSS_CR_Radio_INIT_N1_Base64.er7');
const cdaV2Replace = embeddedCda('Remplacement MDM', 'message_MDM__LPS_MSS_CR_Radio_RPLC_N1.er7');
const cdaV2Delete = embeddedCda('Suppression MDM', 'message_MDM__LPS_MSS_CR_Radio_DEL_N1.er7');

/** The mail every volet B example stands for (its PRT and mail OBX), and the establishment's configuration. */
const directory = {
  'Thomas.Eric@medecin.mssante.fr': { person: { id: '801234564895', family: 'Eric', given: 'Thomas', idType: 'IDNPS' as const } },
};
const careUnits = { 'dpi@hopitalA.mssante.fr': { name: "Service d'urologie", id: '3435', type: 'UF', authority: '120456789' } };

function input(cda: Buffer, action: VoletBAction, over: Partial<VoletBInput> & { subject?: string; codes?: string[] } = {}): VoletBInput {
  const { subject, codes, ...rest } = over;
  return {
    controlId: 'RLS-1', timestamp: new Date(2026, 10, 26, 10, 0, 0), receivedAt: new Date(2026, 10, 26, 9, 59, 58),
    sendingApp: 'PFI-Y', sendingFacility: 'Organisation-Y', receivingApp: 'RIS-Y', receivingFacility: 'Organisation-Y',
    document: {
      cda, header: readCdaHeader(cda), action,
      confidentialityCodes: (codes ?? []).map((code) => ({ code })),
    },
    mail: {
      messageId: '1', subject: subject ?? 'XDM/1.0/DDM+CR d’examens de radiologie PAT-TROIS DOMINIQUE 07/08/2010',
      from: 'thomas.eric@medecin.mssante.fr', recipients: ['dpi@hopitalA.mssante.fr'], replyTo: 'adam.hoda@test-ci-sis.mssante.fr',
      body: 'Corps du courriel',
    },
    directory, careUnits,
    ...rest,
  };
}

/**
 * Fields of the ANS examples Relais does not reproduce, each with its reason. A key names a segment occurrence
 * (`PRT1` = first PRT) and a field, optionally `~repetition`, `.component` and `.subcomponent`; it covers what is below it.
 */
const excluded: Record<string, string> = {
  'MSH1-7': 'message timestamp: ours',
  'MSH1-10': 'control id: ours',
  'EVN1-2': 'reception timestamp of the mail',
  'EVN1-6': 'reception timestamp of the mail',
  'EVN1-5': 'the example names an administrative operator; a mailbox reader has none, and volet B gives EVN no field rules (§3.3)',
  'PID1-3.7': 'CX-7 (INS effective date 20101207) is not in the CDA recordTarget, the only identity source (§3.3)',
  'PID1-11': 'the example puts the residence address first, which the example CDA gives only as unstructured streetAddressLine: '
    + 'Relais sends the birthplace (BDL) repetition alone, compared with the example\'s second repetition',
  'PID1-18': 'administrative file number: neither the mail nor the CDA carries one',
  'TXA1-4': 'activity date/time: a timestamp (ours is the CDA effectiveTime)',
  'TXA1-12.2': 'TXA-12 rule (§2.4.6): a root-only id leaves components 2–4 empty; MANIFEST records the same filled TXA-12.2 as a defect in the volet A twins',
  'TXA1-13.2': 'same TXA-12/13 rule as TXA-12.2',
  'PRT1-5.9.1': "the example's namespace `ASIP-SANTE- PS` has a stray space; Relais writes ASIP-SANTE-PS",
  'OBX1-5.5': 'the CDA base64: compared as decoded bytes (MANIFEST: unpadded base64; INIT_N1 carries a placeholder, so the CDA of INIT_N1_Base64 is used)',
};

interface Position { segment: string; field: number; rep: number; comp: number; sub: number }

/** The exclusion keys that covered a real difference, across the comparisons run. */
const exclusionsUsed = new Set<string>();

/** The key covering a position, if any (an unnamed repetition, component or subcomponent means all of them). */
function exclusionFor(p: Position): string | undefined {
  return Object.keys(excluded).find((key) => {
    const m = /^([A-Z0-9]{3}\d+)-(\d+)(?:~(\d+))?(?:\.(\d+))?(?:\.(\d+))?$/.exec(key);
    if (m === null) throw new Error(`bad exclusion key ${key}`);
    const [, segment, field, rep, comp, sub] = m;
    return segment === p.segment && Number(field) === p.field && (rep === undefined || Number(rep) === p.rep)
      && (comp === undefined || Number(comp) === p.comp) && (sub === undefined || Number(sub) === p.sub);
  });
}

/** Every component and subcomponent of two messages, segment by segment; returns the differing positions. */
function differences(ours: Hl7Message, theirs: Hl7Message): string[] {
  const out: string[] = [];
  assert.deepEqual(ours.segments.map((s) => s.name), theirs.segments.map((s) => s.name), 'segment sequence');
  const occurrence = new Map<string, number>();
  for (let i = 0; i < theirs.segments.length; i++) {
    const a = ours.segments[i] as Hl7Segment;
    const b = theirs.segments[i] as Hl7Segment;
    const n = (occurrence.get(b.name) ?? 0) + 1;
    occurrence.set(b.name, n);
    for (let f = 1; f <= Math.max(a.fieldCount, b.fieldCount); f++) {
      const repCount = Math.max(a.repetitions(f).length, b.repetitions(f).length, 1);
      for (let r = 1; r <= repCount; r++) {
        const ra = a.repetitions(f)[r - 1];
        const rb = b.repetitions(f)[r - 1];
        const comps = Math.max(ra?.componentCount ?? 0, rb?.componentCount ?? 0, 1);
        for (let c = 1; c <= comps; c++) {
          const subs = Math.max(ra?.subcomponentCount(c) ?? 0, rb?.subcomponentCount(c) ?? 0, 1);
          for (let sub = 1; sub <= subs; sub++) {
            const va = a.get(f, c, sub, r);
            const vb = b.get(f, c, sub, r);
            const exclusion = exclusionFor({ segment: `${b.name}${n}`, field: f, rep: r, comp: c, sub });
            if (exclusion !== undefined) {
              if (va !== vb) exclusionsUsed.add(exclusion);
              continue;
            }
            if (va !== vb) out.push(`${b.name}${n}-${f}~${r}.${c}.${sub}: ours '${va}' ≠ example '${vb}'`);
          }
        }
      }
    }
  }
  return out;
}

function assertSameBirthplace(ours: Hl7Message, theirs: Hl7Message): void {
  assert.equal(ours.segment('PID')?.repetitions(11).length, 1);
  assert.equal(ours.segment('PID')?.repetitions(11)[0]?.raw(), theirs.segment('PID')?.repetitions(11)[1]?.raw());
}

function documentBytes(m: Hl7Message): Buffer {
  const decoded = decodeBase64(m.segment('OBX')?.get(5, 5) ?? '');
  assert.ok(decoded.ok);
  return decoded.bytes;
}

describe('volet B MDM against the ANS examples (field by field)', () => {
  it('first sending (T02): INIT_N1, with the real CDA of INIT_N1_Base64', () => {
    const ours = parseEr7(buildVoletBMessage(input(cdaV1, 'publish', { codes: ['INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX'] })));
    const example = parseEr7(file('Transmission initiale MDM', 'message_MDM__LPS_MSS_CR_Radio_INIT_N1.er7'));
    assert.deepEqual(differences(ours, example), []);
    assertSameBirthplace(ours, example);
    assert.ok(documentBytes(ours).equals(cdaV1));
  });

  it('replacement (T10): RPLC_N1, visibility opened since the first version (MODIF_CONF_CODE=Y)', () => {
    const ours = parseEr7(buildVoletBMessage(input(cdaV2Replace, 'replace', {
      subject: 'XDM/1.0/DDM+CR d’examens radiologie PAT-TROIS DOMINIQUE 07/08/2010',
      previousConfidentialityCodes: [{ code: 'INVISIBLE_PATIENT' }, { code: 'INVISIBLE_REPRESENTANTS_LEGAUX' }],
    })));
    const example = parseEr7(file('Remplacement MDM', 'message_MDM__LPS_MSS_CR_Radio_RPLC_N1.er7'));
    assert.deepEqual(differences(ours, example), []);
    assertSameBirthplace(ours, example);
    assert.ok(documentBytes(ours).equals(documentBytes(example)));
    assert.ok(readCdaHeader(documentBytes(ours)).id.root.endsWith('082'));
  });

  it('deletion (T04): DEL_N1 carries the last version and its parent', () => {
    const ours = parseEr7(buildVoletBMessage(input(cdaV2Delete, 'delete')));
    const example = parseEr7(file('Suppression MDM', 'message_MDM__LPS_MSS_CR_Radio_DEL_N1.er7'));
    assert.deepEqual(differences(ours, example), []);
    assertSameBirthplace(ours, example);
    assert.ok(documentBytes(ours).equals(documentBytes(example)));
    assert.ok(readCdaHeader(documentBytes(ours)).id.root.endsWith('082'));
  });

  it('each excluded field differs in at least one example (the list hides nothing that matches)', () => {
    assert.deepEqual(Object.keys(excluded).filter((k) => !exclusionsUsed.has(k)), []);
  });

  it('the comparison sees a difference outside the excluded fields', () => {
    const ours = parseEr7(buildVoletBMessage(input(cdaV2Delete, 'delete', { processingId: 'T' })));
    const example = parseEr7(file('Suppression MDM', 'message_MDM__LPS_MSS_CR_Radio_DEL_N1.er7'));
    assert.deepEqual(differences(ours, example), ["MSH1-11~1.1.1: ours 'T' ≠ example 'P'"]);
  });
});

describe('buildVoletBMessage', () => {
  const build = (action: VoletBAction, over: Parameters<typeof input>[2] = {}): Hl7Message =>
    parseEr7(buildVoletBMessage(input(action === 'publish' ? cdaV1 : cdaV2Replace, action, over)));

  it('maps each action to its event, ORC-1, document OBX-11 and TXA-13', () => {
    for (const [action, event, orc, status, parent] of [
      ['publish', 'T02', 'NW', 'F', ''], ['replace', 'T10', 'RO', 'C', '1.2.250.1.71.4.2.2.120456789.71024000081'],
      ['delete', 'T04', 'CA', 'D', '1.2.250.1.71.4.2.2.120456789.71024000081'],
    ] as const) {
      const m = build(action);
      assert.deepEqual(m.messageType, { code: 'MDM', event, structure: 'MDM_T02' });
      assert.equal(m.segment('MSH')?.get(12), '2.6');
      assert.equal(m.segment('MSH')?.raw(21), '1.1^CISIS_CDA_HL7_LPS');
      assert.equal(m.segment('PV1')?.get(2), 'N');
      assert.equal(m.segment('ORC')?.get(1), orc);
      assert.equal(m.segment('OBX')?.get(11), status);
      assert.equal(m.segment('TXA')?.get(13), parent);
      assert.equal(m.segment('TXA')?.get(17), 'AU');
    }
  });

  it('takes TXA-13 from the archive when the CDA has no RPLC, and refuses a replacement that names no parent', () => {
    const header = { ...readCdaHeader(cdaV2Replace), relatedDocuments: [] };
    const base = input(cdaV2Replace, 'replace');
    const withId = parseEr7(buildVoletBMessage({ ...base, document: { ...base.document, header, replacesUniqueId: '1.2.3^ABC' } }));
    assert.equal(withId.segment('TXA')?.raw(13), 'ABC^^1.2.3^ISO');
    assert.throws(() => buildVoletBMessage({ ...base, document: { ...base.document, header } }),
      (e: unknown) => isRelaisError(e) && e.code === 'RLS_XDM_ACTION');
  });

  it('escapes the Message-ID and Subject (|^~\\&) and carries the body in base64', () => {
    const subject = 'CR | urgent ^ A~B \\ C & D';
    const messageId = '<a|b^c~d\\e&f@mss.fr>';
    const text = buildVoletBMessage(input(cdaV1, 'publish', {
      mail: { ...input(cdaV1, 'publish').mail, subject, messageId, body: 'Bonjour,\r\nCorps é' },
    }));
    const line = text.split('\r').find((l) => l.startsWith('OBX|2|')) ?? '';
    assert.equal(line.split('|').length, 12, 'no raw field separator leaked');
    assert.match(line, /\\F\\.*\\S\\.*\\R\\.*\\E\\.*\\T\\/);
    const obx = parseEr7(text).segment('OBX', 2);
    assert.equal(obx?.get(3, 1), messageId);
    assert.equal(obx?.get(3, 2), subject);
    assert.equal(obx?.get(3, 3), '');
    assert.equal(Buffer.from(obx?.get(5, 5) ?? '', 'base64').toString('utf8'), 'Bonjour,\r\nCorps é');
    assert.equal(obx?.get(5, 2), 'text');
  });

  it('keeps a segment per line when the subject or Message-ID carries CR or LF', () => {
    const text = buildVoletBMessage(input(cdaV1, 'publish', {
      mail: { ...input(cdaV1, 'publish').mail, subject: 'ligne 1\r\nligne 2', messageId: '<a\rb@x>' },
    }));
    const m = parseEr7(text);
    assert.equal(m.segments.length, text.split('\r').length - 1);
    assert.equal(m.segment('OBX', 2)?.get(3, 2), 'ligne 1\r\nligne 2');
    assert.equal(m.segment('OBX', 2)?.get(3, 1), '<a\rb@x>');
  });

  it('takes OBR-4.3 from JDV_J07, else from the CDA code system', () => {
    const header = readCdaHeader(cdaV1);
    const base = input(cdaV1, 'publish');
    const other = (code: typeof header.code) => parseEr7(buildVoletBMessage({ ...base, document: { ...base.document, header: { ...header, code } } })).segment('OBR')?.raw(4);
    assert.equal(other({ code: '99999-9', codeSystem: '2.16.840.1.113883.6.1', displayName: 'Autre' }), '99999-9^Autre^LN');
    assert.equal(other({ code: 'XYZ', codeSystem: '1.2.250.1.213.1.1.4.12', displayName: 'Local' }), 'XYZ^Local^TRE_A05');
  });

  it('carries the four flags from the confidentiality codes, in order, DMP and HL7 spellings', () => {
    const m = build('publish', { codes: ['MASQUE_PS', 'INVISIBLE_REP_LEGAUX'] });
    const flags = m.all('OBX').slice(2).map((o) => `${o.get(3)}=${o.get(5)}:${o.get(3, 3)}:${o.get(5, 3)}:${o.get(2)}`);
    assert.deepEqual(flags, [
      'MASQUE_PS=Y:MetaDMPMSS:expandedYes-NoIndicator:CWE', 'INVISIBLE_PATIENT=N:MetaDMPMSS:expandedYes-NoIndicator:CWE',
      'INVISIBLE_REP_LEGAUX=Y:MetaDMPMSS:expandedYes-NoIndicator:CWE', 'MODIF_CONF_CODE=N:MetaDMPMSS:expandedYes-NoIndicator:CWE',
    ]);
    assert.deepEqual(m.all('OBX').map((o) => o.get(1)), ['1', '2', '3', '4', '5', '6']);
  });

  it('infers MODIF_CONF_CODE: Y only for a replacement that changes visibility or whose predecessor is unknown', () => {
    const codes = [{ code: 'INVISIBLE_PATIENT' }];
    assert.equal(voletBFlags('replace', codes, [{ code: 'INVISIBLE_PATIENT' }]).MODIF_CONF_CODE, false);
    assert.equal(voletBFlags('replace', codes, []).MODIF_CONF_CODE, true);
    assert.equal(voletBFlags('replace', codes).MODIF_CONF_CODE, true);
    assert.equal(voletBFlags('publish', codes).MODIF_CONF_CODE, false);
    assert.equal(voletBFlags('delete', codes).MODIF_CONF_CODE, false);
    assert.equal(voletBFlags('publish', [{ code: ' invisible_representants_legaux ' }]).INVISIBLE_REP_LEGAUX, true);
  });

  it('maps each initial recipient to a PRT RCT, with the care unit of its mailbox and the directory person', () => {
    const m = build('publish', {
      mail: { ...input(cdaV1, 'publish').mail, recipients: ['DPI@hopitala.mssante.fr', 'thomas.eric@medecin.mssante.fr', 'dpi@hopitalA.mssante.fr', 'x@y.mssante.fr'] },
    });
    const rct = m.all('PRT').filter((p) => p.get(4) === 'RCT');
    assert.deepEqual(rct.map((p) => p.get(15, 4)), ['DPI@hopitala.mssante.fr', 'thomas.eric@medecin.mssante.fr', 'x@y.mssante.fr']);
    assert.equal(rct[0]?.raw(8), "Service d'urologie^^^^^120456789^UF^^^3435");
    assert.equal(rct[0]?.raw(5), '');
    assert.equal(rct[1]?.get(5, 1), '801234564895');
    assert.equal(rct[1]?.get(5, 13), 'IDNPS');
    assert.equal(rct[2]?.raw(8), '');
    assert.equal(rct[2]?.raw(15), '^^X.400^x@y.mssante.fr');
  });

  it('fills PRT SB from the directory when it knows the sender, otherwise only PRT-15', () => {
    const known = build('publish', {
      directory: { 'thomas.eric@medecin.mssante.fr': {
        person: { id: '10001234567', family: 'Eric', given: 'Thomas', idType: 'RPPS' },
        organization: { id: '120456789', name: 'CH Y', idType: 'FINEG' }, device: 'RIS-Y',
      } },
    }).all('PRT')[0];
    assert.equal(known?.get(4), 'SB');
    assert.equal(known?.raw(5), '10001234567^Eric^Thomas^^^^^^ASIP-SANTE-PS&1.2.250.1.71.4.2.1&ISO^D^^^RPPS');
    assert.equal(known?.raw(8), 'CH Y^^^^^ASIP-SANTE-ST&1.2.250.1.71.4.2.2&ISO^FINEG^^^120456789');
    assert.equal(known?.get(10), 'RIS-Y');
    const unknown = build('publish', { directory: {} }).all('PRT')[0];
    assert.equal(unknown?.toString(), 'PRT||UC||SB^^participation|||||||||||^^X.400^thomas.eric@medecin.mssante.fr');
  });

  it('writes PRT REPLY only when the mail has a Reply-To', () => {
    const without = build('publish', { mail: { ...input(cdaV1, 'publish').mail, replyTo: undefined as unknown as string } });
    assert.deepEqual(without.all('PRT').map((p) => p.get(4)), ['SB', 'RCT']);
    assert.equal(without.segments[without.segments.indexOf(without.all('PRT')[1] as Hl7Segment) + 1]?.name, 'OBX');
    const withReply = build('publish');
    assert.equal(withReply.all('PRT')[2]?.toString(), 'PRT||UC||REPLY^^participation|||||||||||^^X.400^adam.hoda@test-ci-sis.mssante.fr');
  });

  it('builds PID from the CDA recordTarget: INS, IPP, birth and used names, VALI only with an INS', () => {
    const header = readCdaHeader(cdaV1);
    const patient = {
      ...header.patient, ids: [...header.patient.ids, { root: '1.2.250.1.999.1', extension: 'IPP42' }],
      usedFamily: 'DURAND', usedGiven: 'DOMI', given: ['DOMINIQUE', 'MARIE'],
    };
    const base = input(cdaV1, 'publish');
    const pid = parseEr7(buildVoletBMessage({ ...base, document: { ...base.document, header: { ...header, patient } } })).segment('PID');
    assert.equal(pid?.raw(3), '279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS~IPP42^^^&1.2.250.1.999.1&ISO^PI');
    assert.equal(pid?.raw(5), 'PAT-TROIS^DOMINIQUE^DOMINIQUE MARIE^^^^L~DURAND^DOMI^^^^^D');
    assert.equal(pid?.get(7), '19790328');
    assert.equal(pid?.get(8), 'F');
    assert.equal(pid?.raw(11), '^^^^^^BDL^^63220');
    assert.equal(pid?.get(32), 'VALI');
    const noIns = { ...header, patient: { ...header.patient, ids: [{ root: '1.2.250.1.999.1', extension: 'IPP42' }] } };
    const pid2 = parseEr7(buildVoletBMessage({ ...base, document: { ...base.document, header: noIns } })).segment('PID');
    assert.equal(pid2?.get(32), '');
  });
});
