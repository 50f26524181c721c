/**
 * The one pino logger of a Relais process, created here and passed down. JSON lines on stderr;
 * patient data stays out of logs (redaction as a safety net: components never log it on purpose).
 */
import { pino } from 'pino';
import type { Logger } from '../engine/index.js';

export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { app: 'relais' },
      redact: { paths: ['*.ins', '*.patientIns', '*.name', '*.family', '*.given', '*.cda', '*.raw', '*.base64'], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd: 2, sync: false }),
  ) as unknown as Logger;
}
