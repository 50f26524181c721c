import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { smtpMailOf } from './smtp-mail.js';

describe('smtpMailOf', () => {
  const raw = Buffer.from('Subject: x\r\n\r\ny\r\n');

  it('carries bytes, envelope and Message-ID, and spells the DSN request as ESMTP parameters', () => {
    const mail = smtpMailOf({
      raw, messageId: '<a@b>', envelope: { from: 'app@x.mssante.fr', to: ['dr@y.mssante.fr'] },
      dsn: { id: 'a@b', return: 'headers', notify: ['success', 'failure', 'delay'], recipient: 'dr@y.mssante.fr' },
    });
    assert.deepEqual(mail, {
      raw, messageId: '<a@b>', envelope: { from: 'app@x.mssante.fr', to: ['dr@y.mssante.fr'] },
      dsn: { envelopeId: 'a@b', ret: 'HDRS', notify: ['SUCCESS', 'FAILURE', 'DELAY'], originalRecipient: 'dr@y.mssante.fr' },
    });
  });

  it('asks for no DSN when the mail did not', () => {
    assert.equal(smtpMailOf({ raw, messageId: '<a@b>', envelope: { from: 'a@x.fr', to: ['b@y.fr'] } }).dsn, undefined);
  });
});
