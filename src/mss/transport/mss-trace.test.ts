import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bounded, maxTraceFieldChars, redactImapCommand, redactSmtpCommand, safeSink, type MssTrace } from './mss-trace.js';

describe('trace redaction and bounds', () => {
  it('keeps only the mechanism of an SMTP AUTH line', () => {
    assert.equal(redactSmtpCommand('AUTH PLAIN AHVzZXIAcGFzcw=='), 'AUTH PLAIN [redacted]');
    assert.equal(redactSmtpCommand('auth login'), 'AUTH LOGIN [redacted]');
    assert.equal(redactSmtpCommand('MAIL FROM:<a@b>'), 'MAIL FROM:<a@b>');
  });

  it('removes the password of IMAP LOGIN and the payload of AUTHENTICATE', () => {
    assert.equal(redactImapCommand('A1 LOGIN bal@x s3cret'), 'A1 LOGIN bal@x [redacted]');
    assert.equal(redactImapCommand('A2 AUTHENTICATE PLAIN AHVzZXIAcGFzcw=='), 'A2 AUTHENTICATE PLAIN [redacted]');
    assert.equal(redactImapCommand('A3 AUTHENTICATE PLAIN'), 'A3 AUTHENTICATE PLAIN');
    assert.equal(redactImapCommand('A4 UID MOVE 1 Traites'), 'A4 UID MOVE 1 Traites');
  });

  it('cuts a field longer than the bound and survives a failing sink', () => {
    assert.equal(bounded('x'.repeat(maxTraceFieldChars + 500)).length <= maxTraceFieldChars + 20, true);
    const errors: unknown[] = [];
    const sink = safeSink(() => { throw new Error('store down'); }, (e) => errors.push(e));
    const t: MssTrace = { at: new Date(), actor: 'a', protocol: 'smtp', action: 'send', request: 'r', response: 's', ok: true, durationMs: 1 };
    sink(t);
    assert.equal(errors.length, 1);
  });
});
