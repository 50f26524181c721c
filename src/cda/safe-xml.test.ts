import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelaisError, type RelaisError } from '../domain/index.js';
import { readCdaHeader } from './cda-header.js';
import { decodeXml, loadSafeXml, openXml, sourceBytes, sourceText } from './safe-xml.js';
import type { ReadOptions } from './types.js';

const scopes: ReadOptions['scope'][] = ['full', 'header'];

function errorOf(fn: () => unknown): RelaisError {
  try {
    fn();
  } catch (e) {
    if (isRelaisError(e)) return e;
    throw e;
  }
  assert.fail('expected a RelaisError');
}

const HEADER = `<id root="1.2.250.1.999.2.1"/><code code="11490-0" codeSystem="2.16.840.1.113883.6.1"/>
  <recordTarget><patientRole><id root="1.2.250.1.213.1.4.10" extension="248000000000001"/></patientRole></recordTarget>`;
const BODY = '<component><nonXMLBody><text mediaType="application/pdf" representation="B64">JVBERi0xLjQK</text></nonXMLBody></component>';
const VALID = `<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">${HEADER}${BODY}</ClinicalDocument>\n`;

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol9;</title>${HEADER}${BODY}</ClinicalDocument>`;

const externalEntity = `<?xml version="1.0"?>
<!DOCTYPE ClinicalDocument [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&xxe;</title>${HEADER}${BODY}</ClinicalDocument>`;

describe('safe XML loading: DTD and entities', () => {
  for (const scope of scopes) {
    it(`refuses a billion-laughs document with RLS_CDA_FORBIDDEN_DTD (scope ${scope})`, () => {
      assert.equal(errorOf(() => readCdaHeader(billionLaughs, { scope })).code, 'RLS_CDA_FORBIDDEN_DTD');
    });

    it(`refuses an external entity to file:///etc/passwd with RLS_CDA_FORBIDDEN_DTD (scope ${scope})`, () => {
      const e = errorOf(() => readCdaHeader(Buffer.from(externalEntity), { scope }));
      assert.equal(e.code, 'RLS_CDA_FORBIDDEN_DTD');
      assert.doesNotMatch(JSON.stringify(e.details), /passwd/);
    });

    it(`refuses a bare DOCTYPE with no internal subset (scope ${scope})`, () => {
      const xml = VALID.replace('<ClinicalDocument', '<!DOCTYPE ClinicalDocument SYSTEM "cda.dtd">\n<ClinicalDocument');
      assert.equal(errorOf(() => readCdaHeader(xml, { scope })).code, 'RLS_CDA_FORBIDDEN_DTD');
    });
  }

  it('refuses a DOCTYPE written in lower case', () => {
    assert.equal(errorOf(() => decodeXml(`<!doctype x>${VALID}`)).code, 'RLS_CDA_FORBIDDEN_DTD');
  });

  it('refuses an ENTITY declaration even inside a comment (a CDA never needs one)', () => {
    const xml = VALID.replace('<id ', '<!-- <!ENTITY x "y"> --><id ');
    const e = errorOf(() => readCdaHeader(Buffer.from(xml)));
    assert.equal(e.code, 'RLS_CDA_FORBIDDEN_DTD');
    assert.equal(e.details.declaration, 'ENTITY');
  });

  it('refuses a DOCTYPE placed after the header, in the body', () => {
    const xml = VALID.replace('</ClinicalDocument>', '<!DOCTYPE x></ClinicalDocument>');
    assert.equal(errorOf(() => readCdaHeader(Buffer.from(xml), { scope: 'header' })).code, 'RLS_CDA_FORBIDDEN_DTD');
  });

  it('keeps comments and CDATA sections, which start with <! too', () => {
    const xml = VALID.replace('<id ', '<!-- un commentaire --><id ').replace('</ClinicalDocument>', '<![CDATA[x]]></ClinicalDocument>');
    assert.equal(readCdaHeader(xml).id.root, '1.2.250.1.999.2.1');
  });
});

describe('safe XML loading: not XML, malformed XML', () => {
  for (const scope of scopes) {
    it(`answers RLS_CDA_NOT_XML for the ANS placeholder sentence (scope ${scope})`, () => {
      assert.equal(errorOf(() => readCdaHeader('Document medcial au format CDA niveau 1', { scope })).code, 'RLS_CDA_NOT_XML');
    });

    it(`answers RLS_CDA_NOT_XML for PDF bytes (scope ${scope})`, () => {
      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'), Buffer.from([0xff, 0xfe, 0x00, 0x80])]);
      assert.equal(errorOf(() => readCdaHeader(pdf, { scope })).code, 'RLS_CDA_NOT_XML');
    });

    it(`answers RLS_CDA_NOT_XML for an empty or blank input (scope ${scope})`, () => {
      assert.equal(errorOf(() => readCdaHeader('', { scope })).code, 'RLS_CDA_NOT_XML');
      assert.equal(errorOf(() => readCdaHeader(Buffer.from(' \n '), { scope })).code, 'RLS_CDA_NOT_XML');
    });

    it(`answers RLS_CDA_NOT_XML for a document truncated inside the header (scope ${scope})`, () => {
      assert.equal(errorOf(() => readCdaHeader(VALID.slice(0, VALID.indexOf('<recordTarget') + 20), { scope })).code, 'RLS_CDA_NOT_XML');
    });

    it(`answers RLS_CDA_NOT_XML for an unclosed tag in the header (scope ${scope})`, () => {
      const xml = VALID.replace('<recordTarget>', '<recordTarget><unclosed>');
      assert.equal(errorOf(() => readCdaHeader(xml, { scope })).code, 'RLS_CDA_NOT_XML');
    });

    it(`answers RLS_CDA_NOT_XML for text before the root (scope ${scope})`, () => {
      const xml = VALID.replace('<ClinicalDocument', 'texte<ClinicalDocument');
      assert.equal(errorOf(() => readCdaHeader(xml, { scope })).code, 'RLS_CDA_NOT_XML');
    });

    it(`answers RLS_CDA_NOT_XML for mismatched tags, bad entities and bad attributes in the header (scope ${scope})`, () => {
      const broken = [
        VALID.replace('<recordTarget>', '<recordTarget><a></b>'),
        VALID.replace('<recordTarget>', '<recordTarget><x:a/>'),
        VALID.replace('<id root="1.2.250.1.999.2.1"/>', '<id root="1" root="2"/>'),
        VALID.replace('<id root="1.2.250.1.999.2.1"/>', '<id root=1.2.3/>'),
        VALID.replace('<id root="1.2.250.1.999.2.1"/>', '<id root="a<b"/>'),
        VALID.replace('<recordTarget>', '<recordTarget><x>&unknown;</x>'),
        VALID.replace('<recordTarget>', '<recordTarget><!-- a -- b -->'),
        VALID.replace('<recordTarget>', '<recordTarget><?xml version="1.0"?>'),
      ];
      for (const xml of broken) assert.equal(errorOf(() => readCdaHeader(xml, { scope })).code, 'RLS_CDA_NOT_XML', xml.slice(60, 200));
    });

    it(`answers RLS_CDA_NOT_XML for a control character XML forbids (scope ${scope})`, () => {
      assert.equal(errorOf(() => readCdaHeader(VALID.replace('<recordTarget>', '<recordTarget>\u0001'), { scope })).code, 'RLS_CDA_NOT_XML');
    });
  }

  it('answers RLS_CDA_NOT_XML for a document truncated inside the body when the whole document is read', () => {
    assert.equal(errorOf(() => readCdaHeader(VALID.slice(0, VALID.indexOf('</nonXMLBody>')))).code, 'RLS_CDA_NOT_XML');
  });

  it('does not read past the body start in header scope, so a body truncated later is not seen', () => {
    const xml = VALID.slice(0, VALID.indexOf('</nonXMLBody>'));
    assert.equal(readCdaHeader(xml, { scope: 'header' }).level, 'N1');
  });

  it('answers RLS_CDA_NOT_XML for two roots', () => {
    assert.equal(errorOf(() => readCdaHeader(`${VALID}<ClinicalDocument xmlns="urn:hl7-org:v3"/>`)).code, 'RLS_CDA_NOT_XML');
    const noBody = VALID.replace(BODY, '');
    assert.equal(errorOf(() => readCdaHeader(`${noBody}<ClinicalDocument xmlns="urn:hl7-org:v3"/>`, { scope: 'header' })).code, 'RLS_CDA_NOT_XML');
  });

  it('answers RLS_CDA_NOT_XML for text after the root', () => {
    assert.equal(errorOf(() => readCdaHeader(`${VALID}reste`)).code, 'RLS_CDA_NOT_XML');
  });

  it('refuses a bare ampersand in header text in header scope (not well-formed XML)', () => {
    assert.equal(errorOf(() => readCdaHeader(VALID.replace('<recordTarget>', '<recordTarget><x>a & b</x>'), { scope: 'header' })).code, 'RLS_CDA_NOT_XML');
  });

  it('keeps document text out of the error details', () => {
    const xml = VALID.replace('<ClinicalDocument', '<!-- c -->DUPONT<ClinicalDocument');
    const e = errorOf(() => loadSafeXml(xml));
    assert.equal(e.code, 'RLS_CDA_NOT_XML');
    assert.doesNotMatch(JSON.stringify(e.details), /DUPONT/);
    assert.doesNotMatch(e.message, /DUPONT/);
  });

  it('refuses with RLS_CDA_NOT_XML what the xmldom leniency would accept (unknown entity in the body)', () => {
    const xml = VALID.replace('JVBERi0xLjQK', 'JVBER&nbsp;i0xLjQK');
    assert.equal(errorOf(() => loadSafeXml(xml)).code, 'RLS_CDA_NOT_XML');
  });
});

describe('safe XML loading: size and encoding', () => {
  it('answers RLS_CDA_TOO_LARGE above maxBytes, for bytes and for text', () => {
    assert.equal(errorOf(() => readCdaHeader(Buffer.from(VALID), { maxBytes: 100 })).code, 'RLS_CDA_TOO_LARGE');
    const e = errorOf(() => readCdaHeader(VALID, { maxBytes: 100, scope: 'header' }));
    assert.equal(e.code, 'RLS_CDA_TOO_LARGE');
    assert.equal(e.details.maxBytes, 100);
    assert.equal(readCdaHeader(VALID, { maxBytes: Buffer.byteLength(VALID) }).level, 'N1');
  });

  it('strips a UTF-8 byte order mark from bytes and from text', () => {
    assert.equal(readCdaHeader(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID)])).level, 'N1');
    assert.equal(readCdaHeader(`\ufeff${VALID}`, { scope: 'header' }).level, 'N1');
  });

  it('reads UTF-8 when there is no XML declaration', () => {
    const xml = VALID.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '').replace('<id ', '<title>Crème brûlée</title><id ');
    assert.equal(readCdaHeader(Buffer.from(xml, 'utf8')).title, 'Crème brûlée');
  });

  it('decodes ISO-8859-1 and ISO-8859-15 as declared', () => {
    const latin1 = VALID.replace('UTF-8', 'ISO-8859-1').replace('<id ', '<title>Évaluation</title><id ');
    assert.equal(readCdaHeader(Buffer.from(latin1, 'latin1')).title, 'Évaluation');
    const latin9 = Buffer.from(VALID.replace('UTF-8', 'iso-8859-15').replace('<id ', '<title>Prix X</title><id '), 'latin1');
    latin9[latin9.indexOf('Prix X') + 5] = 0xa4; // € in ISO-8859-15
    assert.equal(readCdaHeader(latin9, { scope: 'header' }).title, 'Prix €');
  });

  it('answers RLS_CDA_BAD_ENCODING for an encoding other than UTF-8 and ISO-8859-1/15', () => {
    const e = errorOf(() => readCdaHeader(Buffer.from(VALID.replace('UTF-8', 'windows-1252'))));
    assert.equal(e.code, 'RLS_CDA_BAD_ENCODING');
    assert.equal(e.details.encoding, 'windows-1252');
  });

  it('answers RLS_CDA_BAD_ENCODING for UTF-16', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VALID, 'utf16le')]);
    assert.equal(errorOf(() => readCdaHeader(utf16)).code, 'RLS_CDA_BAD_ENCODING');
    assert.equal(errorOf(() => readCdaHeader(Buffer.from(VALID, 'utf16le'))).code, 'RLS_CDA_BAD_ENCODING');
  });

  it('answers RLS_CDA_BAD_ENCODING for bytes that are not UTF-8', () => {
    const bytes = Buffer.from(VALID.replace('<id ', '<title>XX</title><id '));
    const at = bytes.indexOf('XX');
    bytes[at] = 0xc3;
    bytes[at + 1] = 0x28;
    assert.equal(errorOf(() => readCdaHeader(bytes)).code, 'RLS_CDA_BAD_ENCODING');
  });

  it('answers RLS_CDA_BAD_ENCODING when a UTF-8 byte order mark contradicts the declaration', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID.replace('UTF-8', 'ISO-8859-1'))]);
    assert.equal(errorOf(() => readCdaHeader(bytes)).code, 'RLS_CDA_BAD_ENCODING');
  });

  it('never cuts a UTF-8 character when decoding only the start of a document', () => {
    const bytes = Buffer.from('<a>éé</a>');
    const source = openXml(bytes);
    assert.equal(sourceText(source, 5), '<a>é');
    assert.equal(sourceText(source, 4), '<a>');
  });
});

describe('sourceBytes: character checks without decoding', () => {
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      if (isRelaisError(e)) return e.code;
      throw e;
    }
    return undefined;
  };
  const isForbidden = (b: number) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d;

  it('returns the bytes of a valid document unchanged', () => {
    const bytes = Buffer.from(VALID);
    const checked = sourceBytes(openXml(bytes));
    assert.equal(checked.bytes, bytes);
    assert.equal(checked.encoding, 'utf-8');
  });

  it('refuses exactly the C0 controls other than TAB, LF and CR, at every alignment', () => {
    const latin1 = VALID.replace('UTF-8', 'ISO-8859-1');
    const at = latin1.indexOf('JVBERi0xLjQK');
    for (let value = 0; value < 256; value++) {
      for (let shift = 0; shift < 8; shift++) {
        // A subarray whose start is not 4-byte aligned (as a Buffer from the pool may be), the byte at 8 positions.
        const bytes = Buffer.concat([Buffer.alloc(shift), Buffer.from(latin1, 'latin1')]).subarray(shift);
        bytes[at + shift] = value;
        assert.equal(codeOf(() => sourceBytes(openXml(bytes))), isForbidden(value) ? 'RLS_CDA_NOT_XML' : undefined, `byte ${value} shift ${shift}`);
      }
    }
  });

  it('refuses a control character in the last bytes, after the last whole word', () => {
    for (let cut = 1; cut <= 4; cut++) {
      const bytes = Buffer.from(`${VALID.trimEnd()}${' '.repeat(cut)}`);
      bytes[bytes.length - 1] = 0x01;
      assert.equal(codeOf(() => sourceBytes(openXml(bytes))), 'RLS_CDA_NOT_XML', `cut ${cut}`);
    }
  });

  it('refuses U+FFFE and U+FFFF but not their neighbours, and invalid UTF-8 with RLS_CDA_BAD_ENCODING', () => {
    const withChar = (c: string) => Buffer.from(VALID.replace('JVBERi0xLjQK', `JVBE${c}Ri0xLjQK`));
    assert.equal(codeOf(() => sourceBytes(openXml(withChar('\uFFFE')))), 'RLS_CDA_NOT_XML');
    assert.equal(codeOf(() => sourceBytes(openXml(withChar('\uFFFF')))), 'RLS_CDA_NOT_XML');
    for (const ok of ['\uFFFD', '\uF000', '\uFFBF', '😀', 'é']) assert.doesNotThrow(() => sourceBytes(openXml(withChar(ok))), ok);
    const bad = withChar('é');
    bad[bad.indexOf(0xc3) + 1] = 0x28;
    assert.equal(codeOf(() => sourceBytes(openXml(bad))), 'RLS_CDA_BAD_ENCODING');
  });

  it('checks a text source as text, lone surrogates included, and gives its UTF-8 bytes', () => {
    assert.equal(codeOf(() => sourceBytes(openXml(VALID.replace('JVBE', 'JV\u0002BE')))), 'RLS_CDA_NOT_XML');
    assert.equal(codeOf(() => sourceBytes(openXml(VALID.replace('JVBE', 'JV\uD800BE')))), 'RLS_CDA_NOT_XML');
    assert.equal(codeOf(() => sourceBytes(openXml(VALID.replace('JVBE', 'JV\uDE00BE')))), 'RLS_CDA_NOT_XML');
    const text = VALID.replace('JVBE', 'JV😀éBE');
    assert.deepEqual(sourceBytes(openXml(text)).bytes, Buffer.from(text));
  });
});

describe('safe XML loading: the XML declaration and comments in both scopes', () => {
  for (const scope of scopes) {
    it(`answers RLS_CDA_NOT_XML for a malformed XML declaration (scope ${scope})`, () => {
      for (const decl of ['<?xml version="1.0" foo="x"?>', '<?xml encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-8" standalone="peut-être"?>']) {
        assert.equal(errorOf(() => readCdaHeader(VALID.replace('<?xml version="1.0" encoding="UTF-8"?>', decl), { scope })).code, 'RLS_CDA_NOT_XML', decl);
      }
    });

    it(`accepts an empty comment (scope ${scope})`, () => {
      assert.equal(readCdaHeader(VALID.replace('<id ', '<!----><id '), { scope }).level, 'N1');
    });

    it(`answers RLS_CDA_NOT_XML for a lone surrogate in a text input (scope ${scope})`, () => {
      assert.equal(errorOf(() => readCdaHeader(VALID.replace('<recordTarget>', '<recordTarget><x>\uD800</x>'), { scope })).code, 'RLS_CDA_NOT_XML');
    });
  }
});
