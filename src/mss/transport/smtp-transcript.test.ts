import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { repliesOf, SmtpTranscript } from './smtp-transcript.js';
import type { MssTrace } from './mss-trace.js';

describe('SMTP transcript', () => {
  it('pairs pipelined RCPT lines with their replies in command order', () => {
    const r = repliesOf(
      ['MAIL FROM:<a@x> RET=HDRS', 'RCPT TO:<b@y> NOTIFY=FAILURE', 'RCPT TO:<c@y>', 'DATA'],
      ['250 2.1.0 Ok', '250 2.1.5 Ok', '550 5.1.1 unknown', '354 go ahead', '250 2.0.0 queued'],
    );
    assert.equal(r.mailFrom, '250 2.1.0 Ok');
    assert.deepEqual(r.recipients, [{ address: 'b@y', reply: '250 2.1.5 Ok' }, { address: 'c@y', reply: '550 5.1.1 unknown' }]);
    assert.equal(r.final, '250 2.0.0 queued');
  });

  it('turns a session log into one trace per exchange, ties the transaction to its Message-ID and redacts AUTH', () => {
    const traces: MssTrace[] = [];
    const t = new SmtpTranscript('bal@x', (x) => traces.push(x));
    const l = t.logger;
    l.info({ sid: 's1', tnx: 'client' }, 'EHLO relais');
    l.info({ sid: 's1', tnx: 'server' }, '250-x\n250 AUTH PLAIN');
    l.info({ sid: 's1', tnx: 'client' }, 'AUTH PLAIN AGJhbEB4AC8qIHNlY3JldCAqLw==');
    l.info({ sid: 's1', tnx: 'server' }, '235 2.7.0 ok');
    l.info({ tnx: 'send', messageId: '<id1@x>' }, 'Sending message');
    l.info({ sid: 's1', tnx: 'client' }, 'MAIL FROM:<bal@x>');
    l.info({ sid: 's1', tnx: 'client' }, 'RCPT TO:<b@y>');
    l.info({ sid: 's1', tnx: 'server' }, '250 2.1.0 Ok');
    l.info({ sid: 's1', tnx: 'server' }, '250 2.1.5 Ok');
    l.info({ sid: 's1', tnx: 'client' }, 'DATA');
    l.info({ sid: 's1', tnx: 'server' }, '354 go');
    l.info({ sid: 's1', tnx: 'server' }, '250 2.0.0 queued as X');
    assert.deepEqual(traces.map((x) => [x.action, x.ok]), [['connect', true], ['auth', true], ['send', true]]);
    assert.equal(traces[1]!.request, 'AUTH PLAIN [redacted]');
    assert.equal(traces[2]!.messageId, '<id1@x>');
    assert.match(traces[2]!.request, /<message content not traced>$/);
    assert.deepEqual(t.take('<id1@x>')?.recipients, [{ address: 'b@y', reply: '250 2.1.5 Ok' }]);
    assert.equal(t.take('<id1@x>'), undefined);
  });

  it('closes a transaction refused at RCPT when the next command (RSET) starts, as a failure', () => {
    const traces: MssTrace[] = [];
    const t = new SmtpTranscript('bal@x', (x) => traces.push(x));
    const l = t.logger;
    l.info({ tnx: 'send', messageId: '<id2@x>' }, 'Sending message');
    l.info({ sid: 's2', tnx: 'client' }, 'MAIL FROM:<bal@x>');
    l.info({ sid: 's2', tnx: 'server' }, '250 2.1.0 Ok');
    l.info({ sid: 's2', tnx: 'client' }, 'RCPT TO:<nobody@y>');
    l.info({ sid: 's2', tnx: 'server' }, '550 5.1.1 unknown');
    l.info({ sid: 's2', tnx: 'client' }, 'RSET');
    l.info({ sid: 's2', tnx: 'server' }, '250 2.0.0 Ok');
    assert.deepEqual(traces.map((x) => [x.action, x.ok, x.messageId]), [['send', false, '<id2@x>'], ['reset', true, undefined]]);
    assert.match(traces[0]!.response, /550 5\.1\.1/);
  });
});
