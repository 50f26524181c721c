/**
 * Functional traces of every operation on an MSSanté mailbox (SC.MSS/CONF.17/18, digest §A9): who (the
 * application mailbox, and the person who asked when there is one), when, what action, the request sent and
 * the server's answer, failures included. Never a message body, an attachment or a password.
 */

export type MssProtocol = 'smtp' | 'imap';

export type MssAction =
  | 'connect' | 'starttls' | 'auth' | 'send' | 'reset' | 'logout'
  | 'select' | 'fetch' | 'move' | 'create' | 'flag' | 'idle' | 'noop' | 'command';

export interface MssTrace {
  /** Local time of the machine (CONF.18). */
  at: Date;
  /** The BAL address, then ` (<person>)` when a person triggered the operation. */
  actor: string;
  protocol: MssProtocol;
  action: MssAction;
  /** The command lines sent, passwords and AUTH payloads redacted. */
  request: string;
  /** The server's reply lines (SMTP codes, IMAP tagged answers), or the local reason of a failure. */
  response: string;
  ok: boolean;
  messageId?: string;
  /** For failures: the classified code (smtp_rejected, tls_peer_untrusted…). */
  failure?: string;
  durationMs: number;
}

export type TraceSink = (t: MssTrace) => void;

/** One trace field never exceeds this; a transcript of a long session is cut, not kept whole. */
export const maxTraceFieldChars = 4000;

export function bounded(text: string, max = maxTraceFieldChars): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}… [${text.length - max + 20} more]`;
}

export function actorOf(bal: string, person?: string): string {
  return person ? `${bal} (${person})` : bal;
}

/** SMTP `AUTH <mech> <payload>` and the SASL continuation lines carry the secret: only the mechanism is kept. */
export function redactSmtpCommand(line: string): string {
  const m = /^AUTH\s+(\S+)/i.exec(line);
  return m ? `AUTH ${m[1]!.toUpperCase()} [redacted]` : line;
}

/** IMAP `LOGIN user pass`, `AUTHENTICATE mech payload`: the secret parts go. */
export function redactImapCommand(line: string): string {
  const login = /^(\S+\s+LOGIN\s+)(\S+)\s+.*$/i.exec(line);
  if (login) return `${login[1]}${login[2]} [redacted]`;
  const auth = /^(\S+\s+AUTHENTICATE\s+\S+)(\s.*)?$/i.exec(line);
  if (auth) return `${auth[1]}${auth[2] ? ' [redacted]' : ''}`;
  return line;
}

/** Calls the sink and never lets a failing sink break the mail flow. */
export function safeSink(sink: TraceSink, onError: (e: unknown) => void): TraceSink {
  return (t) => {
    try {
      sink({ ...t, request: bounded(t.request), response: bounded(t.response) });
    } catch (e) {
      onError(e);
    }
  };
}
