import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { documentSubject, subjectBirthDate } from './subject.js';

describe('documentSubject', () => {
  it('writes XDM/1.0/DDM+<libellé> <NOM> <prénom> <JJ/MM/AAAA> as the volet example does', () => {
    assert.equal(documentSubject(['ECHOGRAPHIE ABDOMINOPELVIENNE'], { family: 'Corse', given: 'FIGATELLIX', birthDate: '19881012' }),
      'XDM/1.0/DDM+ECHOGRAPHIE ABDOMINOPELVIENNE CORSE FIGATELLIX 12/10/1988');
  });

  it('leaves out a missing or partial birth date', () => {
    assert.equal(documentSubject(['CR'], { family: 'Nguyen', given: 'Linh' }), 'XDM/1.0/DDM+CR NGUYEN Linh');
    assert.equal(documentSubject(['CR'], { family: 'Nguyen', given: 'Linh', birthDate: '199310' }), 'XDM/1.0/DDM+CR NGUYEN Linh');
  });

  it('reads HL7 and ISO dates, with a time or without', () => {
    assert.equal(subjectBirthDate('19931022'), '22/10/1993');
    assert.equal(subjectBirthDate('1993-10-22'), '22/10/1993');
    assert.equal(subjectBirthDate('199310221200+0100'), '22/10/1993');
    assert.equal(subjectBirthDate('22/10/1993'), undefined);
  });

  it('upper-cases the family name the French way', () => {
    assert.equal(documentSubject(['CR'], { family: 'Lefèvre-Öberg', given: 'Zoé' }), 'XDM/1.0/DDM+CR LEFÈVRE-ÖBERG Zoé');
  });
});
