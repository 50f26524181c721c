import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { smtpErrorCode } from './smtp-error-code.js';

describe('smtpErrorCode', () => {
  it('takes the SMTP reply of the diagnostic when there is one', () => {
    assert.equal(smtpErrorCode({ status: '5.1.1', smtpCode: 550 }), 550);
    assert.equal(smtpErrorCode({ status: '5.7.1', smtpCode: 554 }), 554);
    assert.equal(smtpErrorCode({ status: '4.2.2', smtpCode: 452 }), 452);
  });

  it('derives one from the enhanced status otherwise', () => {
    assert.equal(smtpErrorCode({ status: '5.1.1' }), 550);
    assert.equal(smtpErrorCode({ status: '5.2.2' }), 552);
    assert.equal(smtpErrorCode({ status: '5.3.4' }), 552);
    assert.equal(smtpErrorCode({ status: '5.2.1' }), 550);
    assert.equal(smtpErrorCode({ status: '4.2.2' }), 452);
    assert.equal(smtpErrorCode({ status: '4.4.1' }), 451);
    assert.equal(smtpErrorCode({ status: '5.7.1' }), 554);
  });

  it('gives nothing for a success', () => {
    assert.equal(smtpErrorCode({ status: '2.0.0', smtpCode: 250 }), undefined);
  });
});
