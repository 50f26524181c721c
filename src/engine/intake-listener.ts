/**
 * Binds an MLLP listener to the intake service: frame → one store transaction → ACK.
 */
import { readFileSync } from 'node:fs';
import { MllpServer, buildAck, encodeEr7, sniffHeader, type MllpTlsOptions } from '../hl7/index.js';
import type { MllpListenerConfig } from '../config/index.js';
import { businessError } from '../cisis/index.js';
import type { IntakeService } from './intake-service.js';
import type { Logger } from './logger.js';

export interface IntakeListenerOptions {
  config: MllpListenerConfig;
  intake: IntakeService;
  log: Logger;
  nextControlId: () => string;
}

export function tlsFromConfig(config: MllpListenerConfig): MllpTlsOptions | undefined {
  const t = config.tls;
  if (!t.enabled) return undefined;
  return {
    cert: readFileSync(t.certFile),
    key: readFileSync(t.keyFile),
    ...(t.caFile ? { ca: readFileSync(t.caFile) } : {}),
    requestCert: t.requireClientCert,
    rejectUnauthorized: t.requireClientCert,
    minVersion: 'TLSv1.2',
  };
}

export function createIntakeListener(o: IntakeListenerOptions): MllpServer {
  const log = o.log.child({ component: 'intake', listener: o.config.name });
  const tls = tlsFromConfig(o.config);
  return new MllpServer({
    host: o.config.host,
    port: o.config.port,
    ...(tls ? { tls } : {}),
    maxFrameBytes: o.config.maxFrameBytes,
    idleTimeoutMs: o.config.idleTimeoutSeconds * 1000,
    // An empty list in the configuration means "any peer".
    ...(o.config.allowedPeers.length > 0 ? { allowedPeers: [...o.config.allowedPeers] } : {}),
    maxConnections: o.config.maxConnections,
    log,
    onMessage: async (payload, conn) => {
      const result = await o.intake.handle(payload, { label: `${o.config.name}@${conn.remoteAddress}` });
      return result.ack;
    },
    // A frame over the limit is answered AE from its first bytes (MSA-2 = its MSH-10), and the
    // connection stays usable: the DPI learns why instead of seeing a reset.
    onOversize: async (head, size) => {
      const header = sniffHeader(head);
      log.warn({ size, limit: o.config.maxFrameBytes, controlId: header.controlId }, 'frame over the size limit refused');
      const charset = header.charset ?? 'UTF-8';
      const text = buildAck(header, {
        code: 'AE', controlId: o.nextControlId(), timestamp: new Date(), charset,
        errors: [businessError('FRAME_TOO_LARGE', undefined, `the message is ${size} bytes; the limit is ${o.config.maxFrameBytes}`)],
      });
      return encodeEr7(text, charset);
    },
  });
}
