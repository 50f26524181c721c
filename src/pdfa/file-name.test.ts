import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pdfFileName } from './file-name.js';

describe('pdfFileName', () => {
  it('builds <YYYYMMDD>_<type>_<NOM>_<prénom>[_<n° dossier>].pdf with safe characters only', () => {
    assert.equal(
      pdfFileName({ actDate: '20240315143000+0100', typeLabel: "Compte rendu d'imagerie médicale", family: 'Lefèvre-Dœuf', given: 'Éloïse' }),
      '20240315_Compte-rendu-d-imagerie-medicale_LEFEVRE-DOEUF_Eloise.pdf',
    );
    assert.equal(
      pdfFileName({ actDate: '20240315', typeLabel: 'CR', family: 'Martin', given: 'Paul', fileNumber: 'SEJ 2024/0001' }),
      '20240315_CR_MARTIN_Paul_SEJ-2024-0001.pdf',
    );
  });

  it('strips path separators, dots and underscores so a name cannot escape or add fields', () => {
    const name = pdfFileName({ actDate: '20240101', typeLabel: '../../etc/passwd', family: 'a_b\\c', given: '.. ', fileNumber: '_' });
    assert.equal(name, '20240101_etc-passwd_A-B-C_NC.pdf');
    assert.match(name, /^[A-Za-z0-9-]+(_[A-Za-z0-9-]+){3,4}\.pdf$/);
  });

  it('caps each field and takes the calendar date of a Date in Europe/Paris', () => {
    const name = pdfFileName({ actDate: new Date('2024-06-30T22:30:00Z'), typeLabel: 'x'.repeat(100), family: 'y'.repeat(100), given: 'z'.repeat(100), fileNumber: '9'.repeat(50) });
    assert.equal(name, `20240701_${'x'.repeat(40)}_${'Y'.repeat(30)}_${'z'.repeat(30)}_${'9'.repeat(20)}.pdf`);
    assert.equal(pdfFileName({ actDate: new Date('2024-01-15T22:30:00Z'), typeLabel: 't', family: 'f', given: 'g' }), '20240115_t_F_g.pdf');
  });

  it('refuses an act date that is not an HL7 TS', () => {
    assert.throws(() => pdfFileName({ actDate: '15/03/2024', typeLabel: 't', family: 'f', given: 'g' }));
    assert.throws(() => pdfFileName({ actDate: new Date('invalid'), typeLabel: 't', family: 'f', given: 'g' }));
  });
});
