/**
 * MSH-10 values for what Relais originates (ACKs now; ZAM and volet B MDM later): short (HL7 2.5 ST ≤ 20),
 * unique across restarts and across several Relais nodes sharing one database.
 */
import { randomBytes } from 'node:crypto';

export function createControlIdGenerator(prefix = 'R'): () => string {
  const node = randomBytes(3).toString('hex'); // distinguishes processes started in the same millisecond
  let last = 0;
  let seq = 0;
  return () => {
    const now = Date.now();
    seq = now === last ? seq + 1 : 0;
    last = now;
    return `${prefix}${now.toString(36)}${node}${seq.toString(36)}`.slice(0, 20);
  };
}
