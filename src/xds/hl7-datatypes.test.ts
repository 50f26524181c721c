import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ce, cx, escapeHl7Component, xcn, xon } from './hl7-datatypes.js';

describe('HL7 v2 datatypes for XDS slots', () => {
  it('writes a PS XCN as the digest example', () => {
    assert.equal(xcn({ id: '801234567890', authority: '1.2.250.1.71.4.2.1', family: 'DURANT', given: 'Romuald', nameType: 'D', idType: 'IDNPS' }),
      '801234567890^DURANT^Romuald^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS');
  });
  it('writes a structure XON as the digest example', () => {
    assert.equal(xon({ name: 'CABINET X', authority: '1.2.250.1.71.4.2.2', idType: 'IDNST', id: '401234567890009' }),
      'CABINET X^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^401234567890009');
  });
  it('writes an XON with a name only', () => {
    assert.equal(xon({ name: 'Clinique' }), 'Clinique');
  });
  it('writes a CX with and without an identifier type', () => {
    assert.equal(cx('279035121518989', '1.2.250.1.213.1.4.8'), '279035121518989^^^&1.2.250.1.213.1.4.8&ISO');
    assert.equal(cx('ACN1', '1.2.3', 'urn:ihe:iti:xds:2013:accession'), 'ACN1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:accession');
  });
  it('writes a CE as code^display^OID', () => {
    assert.equal(ce('G15_10/SM54', 'Médecine générale (SM)', '1.2.250.1.213.1.1.4.5'), 'G15_10/SM54^Médecine générale (SM)^1.2.250.1.213.1.1.4.5');
  });
  it('escapes HL7 delimiters inside a name so that it stays one component', () => {
    assert.equal(escapeHl7Component('A^B&C|D~E\\F'), 'A\\S\\B\\T\\C\\F\\D\\R\\E\\E\\F');
    assert.equal(xon({ name: 'Soins & Co^' }), 'Soins \\T\\ Co\\S\\');
  });
});
