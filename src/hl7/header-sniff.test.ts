import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sniffHeader } from './header-sniff.js';

describe('sniffHeader', () => {
  it('reads the MSH fields needed for an AE', () => {
    const h = sniffHeader(Buffer.from('\r\nMSH|^~\\&|SIL^1.2^ISO|LABO|PFI|ORG|2024||ORU^R01^ORU_R01|ID\\F\\7|T|2.5|||||FRA|8859/15\rPID|\xe9', 'latin1'));
    assert.deepEqual(h, {
      delimiters: { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' },
      sendingApp: 'SIL', sendingFacility: 'LABO', receivingApp: 'PFI', receivingFacility: 'ORG',
      event: 'R01', controlId: 'ID|7', processingId: 'T', version: '2.5', charset: 'ISO-8859-15',
    });
  });

  it('still reads the fields when MSH-2 is unusable, but reports no delimiters', () => {
    const h = sniffHeader('MSH|^\u02dc\\&|SIL|labo|PFI-X|Org|2021||ORU^R01|015|P|2.5');
    assert.equal(h.controlId, '015');
    assert.equal(h.event, 'R01');
    assert.equal(h.delimiters, undefined);
  });

  it('leaves out an unknown charset and empty fields', () => {
    const h = sniffHeader('MSH|^~\\&|A||||||ADT|42|||||||KOI8-R');
    assert.equal(h.charset, undefined);
    assert.equal(h.sendingFacility, undefined);
    assert.equal(h.controlId, '42');
  });

  it('never throws, whatever it is given', () => {
    const inputs: (Buffer | string)[] = ['', 'MSH', 'MSHX', 'MSH|', Buffer.from([0xff, 0xfe, 0x00]), 'PID|||1', Buffer.alloc(100_000, 0x7c),
      'MSH|^~\\&|\\X\\|\\XZZ\\|', Buffer.from('MSH|^~\\&|\xff\xfe|', 'latin1')];
    for (const i of inputs) assert.equal(typeof sniffHeader(i), 'object');
    assert.deepEqual(sniffHeader('PID|||1'), {});
  });
});
