import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { example, examples, insertAfter, metaOccurrence, setComponent } from './testing/mutate.js';
import { assertAccepts, run, warningCodes } from './test-run.js';

const mdm = example(examples.mdmInit);
const oru = example(examples.oruReplace);
const body = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('CORPSMAIL_PS / CORPSMAIL_PATIENT (volet A §2.4.9 #11–12)', () => {
  it('decodes CORPSMAIL_PS to UTF-8 text', () => {
    assert.equal(assertAccepts(run(mdm)).mailBodies.ps, 'Cher confrère, vous trouverez ci-joint le CR d’imagerie de M.Dupont');
  });

  it('returns no body and warns when the CORPSMAIL_PS base64 is truncated (ANS Ségur example)', () => {
    const r = run(oru);
    assert.equal(assertAccepts(r).mailBodies.ps, undefined);
    assert.ok(warningCodes(r).includes('MAIL_BODY_UNREADABLE'));
  });

  it('returns no body and warns when the decoded body is not UTF-8', () => {
    const latin = Buffer.from('Cher confrère', 'latin1').toString('base64');
    const r = run(setComponent(mdm, 'OBX', metaOccurrence(mdm, 'CORPSMAIL_PS'), 5, 5, latin));
    assert.equal(assertAccepts(r).mailBodies.ps, undefined);
    assert.ok(warningCodes(r).includes('MAIL_BODY_UNREADABLE'));
  });

  it('reads CORPSMAIL_PATIENT when DESTMSSANTEPAT=Y', () => {
    const line = `OBX|13|ED|CORPSMAIL_PATIENT^Corps du mail pour le patient^MetaDMPMSS||^TEXT^^Base64^${body('Bonjour, voici votre compte rendu.')}||||||F|`;
    const request = assertAccepts(run(insertAfter(oru, 'OBX', 12, line)));
    assert.equal(request.mailBodies.patient, 'Bonjour, voici votre compte rendu.');
  });

  it('reads a mail body sent as plain text without encoding', () => {
    const plain = setComponent(setComponent(mdm, 'OBX', metaOccurrence(mdm, 'CORPSMAIL_PS'), 5, 4, ''), 'OBX', metaOccurrence(mdm, 'CORPSMAIL_PS'), 5, 5, 'Bonjour');
    assert.equal(assertAccepts(run(plain)).mailBodies.ps, 'Bonjour');
  });
});
