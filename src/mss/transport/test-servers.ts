/**
 * Test support: a small ESMTP server (STARTTLS or implicit TLS, AUTH PLAIN, MAIL/RCPT/DATA with scripted
 * refusals) and a bare TLS endpoint, both on loopback with TLS options chosen by the test, to drive the client
 * into every refusal of the profile. Not a mail server: it stores what it received, nothing more.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type TlsOptions } from 'node:tls';
import { getDiffieHellman } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  auth?: { user: string; pass: string };
  mailFromLine: string;
  rcptLines: string[];
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  connections: number;
  /** Client certificates seen (subject CN), one per handshake. */
  clientCertificates: string[];
  close(): Promise<void>;
}

export interface TestSmtpServerOptions {
  tls: TlsOptions;
  mode: 'starttls' | 'implicit';
  /** Reply to RCPT TO for an address; default 250. */
  rcptReply?: (address: string) => string;
  /** Reply after the message; default 250 queued. */
  dataReply?: (mail: ReceivedMail) => string;
  authReply?: (user: string, pass: string) => string;
  /** Advertise STARTTLS (default true). */
  offerStartTls?: boolean;
}

/** A 1024-bit DH group (RFC 2409 group 2) as PEM, for the weak-group refusal. */
export function weakDhParamsPem(): string {
  const dh = getDiffieHellman('modp2');
  const int = (b: Buffer): Buffer => {
    const body = b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
    return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
  };
  const seq = Buffer.concat([int(dh.getPrime()), int(dh.getGenerator())]);
  const der = Buffer.concat([Buffer.from([0x30]), derLength(seq.length), seq]);
  return `-----BEGIN DH PARAMETERS-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END DH PARAMETERS-----\n`;
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

export async function startTestSmtpServer(o: TestSmtpServerOptions): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const clientCertificates: string[] = [];
  const sockets = new Set<Socket>();
  const context = createSecureContext(o.tls);
  const state = { connections: 0 };
  const secure = (plain: Socket): TLSSocket => {
    const t = new TLSSocket(plain, { isServer: true, secureContext: context, requestCert: true, rejectUnauthorized: o.tls.rejectUnauthorized ?? true, ...(o.tls.ca ? { ca: o.tls.ca } : {}) } as never);
    t.on('error', () => plain.destroy());
    t.on('secure', () => {
      const cn = t.getPeerX509Certificate()?.subject.split('\n').find((l) => l.startsWith('CN='));
      clientCertificates.push(cn ?? '');
    });
    sockets.add(t);
    return t;
  };
  const server: Server = createServer((raw) => {
    state.connections += 1;
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    if (o.mode === 'implicit') session(secure(raw), true);
    else session(raw, false);
  });

  function session(socket: Socket, isSecure: boolean): void {
    let buffer = '';
    let mail: ReceivedMail | undefined;
    let inData = false;
    let auth: { user: string; pass: string } | undefined;
    const reply = (s: string): void => {
      socket.write(`${s}\r\n`);
    };
    if (!isSecure || o.mode === 'implicit') reply('220 test.mss.local ESMTP ready');
    const onLine = (line: string): boolean => {
      if (inData) {
        if (line === '.') {
          inData = false;
          const m = mail!;
          received.push(m);
          reply(o.dataReply?.(m) ?? '250 2.0.0 Ok: queued as TEST1');
          mail = undefined;
        } else mail!.data += `${line.startsWith('..') ? line.slice(1) : line}\r\n`;
        return true;
      }
      const verb = line.split(' ', 1)[0]!.toUpperCase();
      if (verb === 'EHLO') {
        const caps = ['250-test.mss.local', '250-PIPELINING', '250-SIZE 1000000', '250-DSN', '250-8BITMIME'];
        if (!isSecure && o.offerStartTls !== false) caps.push('250-STARTTLS');
        if (isSecure) caps.push('250-AUTH PLAIN');
        caps.push('250 ENHANCEDSTATUSCODES');
        reply(caps.join('\r\n'));
      } else if (verb === 'STARTTLS' && !isSecure) {
        reply('220 2.0.0 Ready to start TLS');
        socket.removeAllListeners('data');
        session(secure(socket), true);
        return false;
      } else if (verb === 'AUTH') {
        const [, mech, payload] = line.split(' ');
        if (mech?.toUpperCase() !== 'PLAIN' || !payload) {
          reply('504 5.5.4 mechanism not supported');
        } else {
          const [, user = '', pass = ''] = Buffer.from(payload, 'base64').toString('utf8').split('\0');
          auth = { user, pass };
          reply(o.authReply?.(user, pass) ?? '235 2.7.0 Authentication successful');
        }
      } else if (verb === 'MAIL') {
        mail = { from: /<([^>]*)>/.exec(line)?.[1] ?? '', to: [], data: '', mailFromLine: line, rcptLines: [], ...(auth ? { auth } : {}) };
        reply('250 2.1.0 Ok');
      } else if (verb === 'RCPT') {
        const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
        const r = o.rcptReply?.(address) ?? '250 2.1.5 Ok';
        mail?.rcptLines.push(line);
        if (r.startsWith('2')) mail?.to.push(address);
        reply(r);
      } else if (verb === 'DATA') {
        if (!mail || mail.to.length === 0) reply('554 5.5.1 Error: no valid recipients');
        else {
          inData = true;
          reply('354 End data with <CR><LF>.<CR><LF>');
        }
      } else if (verb === 'RSET') {
        mail = undefined;
        reply('250 2.0.0 Ok');
      } else if (verb === 'NOOP') reply('250 2.0.0 Ok');
      else if (verb === 'QUIT') {
        reply('221 2.0.0 Bye');
        socket.end();
      } else reply('502 5.5.2 Error: command not recognized');
      return true;
    };
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!onLine(line)) return;
      }
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    get connections() { return state.connections; },
    clientCertificates,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
