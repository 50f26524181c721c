/**
 * Starts and stops a Relais node: store, ZAM notification sender, DMP and MSSanté delivery workers, then intake
 * listeners.
 * Stops the workers first (their sends in progress finish within a limit), then stops accepting, then closes
 * the database.
 */
import type { RelaisConfig } from '../config/index.js';
import { defaultVoletAConfig } from '../cisis/index.js';
import { openStore, type Store } from '../store/index.js';
import type { MllpServer } from '../hl7/index.js';
import { IntakeService } from './intake-service.js';
import { createIntakeListener } from './intake-listener.js';
import { createControlIdGenerator } from './control-ids.js';
import type { Logger } from './logger.js';
import { startDmpDelivery, type DmpDelivery } from './dmp-delivery.js';
import { createDmpZamHook } from './dmp-zam.js';
import { NotificationSender, parseEndpoint } from './notification-sender.js';
import { startMssDelivery, type MssDelivery } from './mss-delivery.js';
import { createMssSettledHook } from './mss-receipts.js';
import { softwareVersion } from './software-version.js';
import { startMssInbound, type MssInbound } from './mss-inbound.js';
import { TraceWriter } from './trace-writer.js';
import { judgeDpiAck } from './dpi-ack-judge.js';

export interface RunningRelais {
  readonly store: Store;
  readonly intake: IntakeService;
  /** Undefined when `dmp.url` is empty. */
  readonly dmp: DmpDelivery | undefined;
  /** Undefined when no MSSanté mailbox has an SMTP endpoint. */
  readonly mss: MssDelivery | undefined;
  /** Undefined when no MSSanté mailbox has an IMAP endpoint. */
  readonly inbound: MssInbound | undefined;
  /** Sends the ZAM business acks to `dpi.endpoint` (idle when it is empty). */
  readonly notifications: NotificationSender;
  readonly listeners: readonly { name: string; host: string; port: number }[];
  close(options?: { timeoutMs?: number }): Promise<void>;
}

export async function startRelais(config: RelaisConfig, log: Logger): Promise<RunningRelais> {
  const store = await openStore({
    ...(config.store.databaseUrl ? { databaseUrl: config.store.databaseUrl, schema: config.store.schema } : { dataDir: config.store.dataDir }),
    poolSize: config.store.poolSize,
    log: log.child({ component: 'store' }),
  });
  const nextControlId = createControlIdGenerator();
  const validation = {
    ...defaultVoletAConfig,
    mssMatrixProfile: config.intake.mssMatrixProfile,
    qualifiedIdentityCodes: config.intake.qualifiedIdentityCodes,
    maxDocumentBytes: config.intake.maxDocumentBytes,
    cdaCheck: config.intake.cdaCheck,
  };
  let sender: NotificationSender;
  try {
    const ackTimeoutMs = config.dpi.ackTimeoutSeconds * 1000;
    sender = new NotificationSender({
      store, endpoint: parseEndpoint(config.dpi.endpoint), ackTimeoutMs, connectTimeoutMs: 10_000,
      backoff: { baseMs: 5_000, maxMs: 300_000, factor: 2, jitter: 'full' },
      maxAttempts: config.dpi.maxAttempts, pollMs: 5_000, leaseMs: ackTimeoutMs + 40_000,
      log: log.child({ component: 'dpi-notifications' }),
      judge: judgeDpiAck,
      // A volet B MDM got its final answer: its mail may be answered now.
      afterSettled: (n) => { if (n.kind.startsWith('mdm_')) inbound?.notifyAnswers(); },
    });
  } catch (e) {
    await store.close();
    throw e;
  }
  let dmp: DmpDelivery | undefined;
  let mss: MssDelivery | undefined;
  let inbound: MssInbound | undefined;
  const traces = new TraceWriter({ store, retentionDays: config.mss.traceRetentionDays, log });
  try {
    sender.start();
    const zamIdentity = { applicationName: config.establishment.applicationName, facility: config.establishment.finessGeographique, nextControlId };
    // Volet A §2.8: a ZAM^Z01 when the request asked ACK_RECEPTION=Y.
    const onSettled = createDmpZamHook({ ...zamIdentity, log });
    // The sender is woken once the ZAM row is committed, so it finds it at once instead of at its next poll.
    const afterSettled = (): void => sender.notify();
    dmp = startDmpDelivery(config, { store, validation, log: log.child({ component: 'dmp' }), onSettled, afterSettled });
    mss = startMssDelivery(config, {
      store, validation, log: log.child({ component: 'mss' }), version: softwareVersion, traces,
      onSettled: createMssSettledHook({ zam: zamIdentity, log }), afterSettled,
    });
    inbound = startMssInbound(config, {
      store, log: log.child({ component: 'mss-inbound' }), traces, version: softwareVersion, nextControlId, zam: zamIdentity,
      testOids: validation.insOids.some((oid) => oid.endsWith('.4.10') || oid.endsWith('.4.11')),
      onRecorded: () => sender.notify(),
    });
  } catch (e) {
    await inbound?.close();
    await mss?.close({ timeoutMs: 1000 });
    await traces.close();
    await dmp?.close({ timeoutMs: 1000 });
    await sender.stop({ timeoutMs: 1000 });
    await store.close();
    throw e;
  }
  const intake = new IntakeService({
    store,
    validation,
    onAccepted: () => { dmp?.worker.notify(); mss?.notify(); },
    historicalAfterDays: config.intake.historicalAfterDays,
    finessGeographique: config.establishment.finessGeographique,
    log: log.child({ component: 'intake' }),
    nextControlId,
  });
  const servers: MllpServer[] = [];
  const listeners: { name: string; host: string; port: number }[] = [];
  try {
    for (const l of config.mllp.listeners) {
      const server = createIntakeListener({ config: l, intake, log, nextControlId });
      const address = await server.listen();
      servers.push(server);
      listeners.push({ name: l.name, host: address.host, port: address.port });
      log.info({ listener: l.name, host: address.host, port: address.port, tls: l.tls.enabled }, 'MLLP listener ready');
    }
  } catch (e) {
    await dmp?.close({ timeoutMs: 1000 });
    await mss?.close({ timeoutMs: 1000 });
    await inbound?.close();
    await traces.close();
    await sender.stop({ timeoutMs: 1000 });
    await Promise.allSettled(servers.map((s) => s.close({ timeoutMs: 1000 })));
    await store.close();
    throw e;
  }

  let closing: Promise<void> | undefined;
  return {
    store, intake, dmp, mss, inbound, notifications: sender, listeners,
    close(options = {}) {
      closing ??= (async () => {
        // The workers first: their sends write their outcome while the store is still open.
        await Promise.all([
          dmp?.close({ timeoutMs: options.timeoutMs ?? 5000 }), mss?.close({ timeoutMs: options.timeoutMs ?? 5000 }), inbound?.close(),
        ]);
        await traces.close();
        // After the workers: the ZAMs of their last settled deliveries are in the outbox by then.
        await sender.stop({ timeoutMs: options.timeoutMs ?? 5000 });
        await Promise.allSettled(servers.map((s) => s.close({ timeoutMs: options.timeoutMs ?? 5000 })));
        await store.close();
        log.info({}, 'stopped');
      })();
      return closing;
    },
  };
}
