/**
 * A composed mail in the transport's shape (`SmtpSubmitter.send`): same bytes and envelope, the DSN request
 * spelled as ESMTP parameters (RFC 3461).
 */
import type { SmtpDsn, SmtpMail } from '../transport/smtp-submitter.js';
import type { ComposedMail } from './document-mail.js';
import type { ComposedReply } from './inbound-reply.js';

export function smtpMailOf(mail: ComposedMail | ComposedReply): SmtpMail {
  const out: SmtpMail = { raw: mail.raw, envelope: { from: mail.envelope.from, to: [...mail.envelope.to] }, messageId: mail.messageId };
  if ('dsn' in mail && mail.dsn !== undefined) {
    const dsn: SmtpDsn = {
      envelopeId: mail.dsn.id,
      ret: 'HDRS',
      notify: mail.dsn.notify.map((n) => n.toUpperCase() as 'SUCCESS' | 'FAILURE' | 'DELAY'),
      ...(mail.dsn.recipient !== undefined ? { originalRecipient: mail.dsn.recipient } : {}),
    };
    out.dsn = dsn;
  }
  return out;
}
