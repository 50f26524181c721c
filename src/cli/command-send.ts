import { readFileSync } from 'node:fs';
import { MllpClient, parseEr7, type MllpTlsOptions } from '../hl7/index.js';

export interface SendOptions { to: string; tls?: boolean; ca?: string; cert?: string; key?: string; servername?: string; timeout: number }

/** A DPI test client: sends one message, prints the ACK; exit 0 AA, 1 AE/AR (or any other MSA-1), 2 no ACK. */
export async function runSend(file: string, o: SendOptions): Promise<number> {
  const m = /^(.+):(\d+)$/.exec(o.to);
  if (!m) {
    process.stderr.write(`--to must be host:port, got ${o.to}\n`);
    return 2;
  }
  // MLLP peers expect CR between segments; message files often use LF (all the ANS examples do).
  const payload = readFileSync(file).toString('latin1').replace(/\r\n|\n/g, '\r');
  const tls: MllpTlsOptions | undefined = o.tls || o.ca || o.cert ? {
    ...(o.ca ? { ca: readFileSync(o.ca) } : {}),
    ...(o.cert ? { cert: readFileSync(o.cert) } : {}),
    ...(o.key ? { key: readFileSync(o.key) } : {}),
    ...(o.servername ? { servername: o.servername } : {}),
  } as MllpTlsOptions : undefined;
  const client = new MllpClient({ host: m[1]!, port: Number(m[2]), ...(tls ? { tls } : {}), ackTimeoutMs: o.timeout, connectTimeoutMs: Math.min(o.timeout, 10_000) });
  let reply: Buffer;
  try {
    await client.connect();
    reply = await client.send(Buffer.from(payload, 'latin1'));
  } catch (e) {
    process.stderr.write(`no ACK: ${(e as Error).message}\n`);
    return 2;
  } finally {
    await client.close();
  }
  process.stdout.write(reply.toString('utf8').split('\r').join('\n') + '\n');
  let code = '';
  try {
    code = parseEr7(reply).segment('MSA')?.get(1) ?? '';
  } catch (e) {
    process.stderr.write(`the reply is not a readable HL7 ACK: ${(e as Error).message}\n`);
    return 2;
  }
  return code === 'AA' || code === 'CA' ? 0 : 1;
}
