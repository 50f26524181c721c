/**
 * A DPI stand-in: sends volet A messages over MLLP (optionally TLS) one after the other and reads each ACK.
 */
import { MllpClient, parseEr7, type MllpTlsOptions } from '../hl7/index.js';

export interface SentMessage {
  controlId: string;
  ackCode: string;
  errors: { code: string; location: string; text: string }[];
  ack: string;
}

export async function sendMessages(
  target: { host: string; port: number; tls?: MllpTlsOptions },
  messages: readonly string[],
  options: { ackTimeoutMs?: number } = {},
): Promise<SentMessage[]> {
  const client = new MllpClient({ host: target.host, port: target.port, ...(target.tls ? { tls: target.tls } : {}), ackTimeoutMs: options.ackTimeoutMs ?? 30_000 });
  await client.connect();
  const out: SentMessage[] = [];
  try {
    for (const m of messages) {
      const reply = await client.send(m);
      out.push(readAck(reply));
    }
  } finally {
    await client.close();
  }
  return out;
}

export function readAck(reply: Buffer): SentMessage {
  const ack = parseEr7(reply);
  const msa = ack.segment('MSA');
  return {
    controlId: msa?.get(2) ?? '',
    ackCode: msa?.get(1) ?? '',
    errors: ack.all('ERR').map((e) => ({
      code: e.get(3, 1) === '207' && e.get(5, 1) ? `207/${e.get(5, 1)}` : e.get(3, 1),
      location: [e.get(2, 1), e.get(2, 2), e.get(2, 3), e.get(2, 4), e.get(2, 5)].filter((x) => x !== '').join('^'),
      text: e.get(5, 2) || e.get(3, 2),
    })),
    ack: reply.toString('utf8'),
  };
}
