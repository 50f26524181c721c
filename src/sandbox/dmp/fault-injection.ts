/**
 * Faults the DMP sandbox can play, to exercise the client's classification (digest §C8; dmp/classify-answer.ts):
 * - `down`: every connection is closed as soon as a request arrives, nothing answered;
 * - `slow`: the answer comes `delayMs` later;
 * - `status`: an HTTP status (e.g. 503) with an HTML body, as a load balancer sends;
 * - `registryError`: a RegistryResponse Failure with this errorCode, whatever the request;
 * - `garbage`: HTTP 200 with bytes that are not SOAP;
 * - `cutUpload`: the connection is closed once the first bytes of the body have arrived (a crash mid-upload);
 * - `dropAnswer`: the request is applied, then the connection is closed without an answer (a lost answer).
 */
export type DmpFault =
  | { mode: 'none' }
  | { mode: 'down' }
  | { mode: 'slow'; delayMs: number }
  | { mode: 'status'; status: number }
  | { mode: 'registryError'; errorCode: string; codeContext?: string }
  | { mode: 'garbage' }
  | { mode: 'cutUpload' }
  | { mode: 'dropAnswer' };

/** Reads a fault from JSON (admin port); undefined when it is not one. */
export function parseFault(value: unknown): DmpFault | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  switch (v['mode']) {
    case 'none': case 'down': case 'garbage': case 'cutUpload': case 'dropAnswer':
      return { mode: v['mode'] };
    case 'slow':
      return typeof v['delayMs'] === 'number' && v['delayMs'] >= 0 && v['delayMs'] <= 600_000 ? { mode: 'slow', delayMs: v['delayMs'] } : undefined;
    case 'status':
      return Number.isInteger(v['status']) && (v['status'] as number) >= 200 && (v['status'] as number) <= 599
        ? { mode: 'status', status: v['status'] as number } : undefined;
    case 'registryError':
      return typeof v['errorCode'] === 'string' && v['errorCode'] !== ''
        ? { mode: 'registryError', errorCode: v['errorCode'], ...(typeof v['codeContext'] === 'string' ? { codeContext: v['codeContext'] } : {}) }
        : undefined;
    default:
      return undefined;
  }
}
