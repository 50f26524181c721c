import { resolve } from 'node:path';
import { loadConfig, type RelaisConfig } from '../config/index.js';
import { startRelais, type Logger, type RunningRelais } from '../engine/index.js';
import { startAdminApi, startConsole, type AdminApi, type RunningConsole } from '../console/index.js';
import { segurDocumentTypes } from '../cda/index.js';
import { createSecurity } from '../security/index.js';
import { createLogger } from './logger.js';
import { takeLock } from './data-lock.js';
import { version } from './version.js';

export interface StartOptions { config?: string; data?: string; mllpPort?: number; mllpHost?: string; consolePort?: number; consoleHost?: string }

export function configFromOptions(o: { config?: string; data?: string; mllpPort?: number; mllpHost?: string; consolePort?: number; consoleHost?: string }): RelaisConfig {
  return loadConfig({
    ...(o.config ? { file: o.config } : {}),
    env: process.env,
    overrides: {
      'store.dataDir': o.data,
      'mllp.listeners.0.port': o.mllpPort,
      'mllp.listeners.0.host': o.mllpHost,
      // A console port on the command line turns the console on.
      'console.enabled': o.consolePort !== undefined ? true : undefined,
      'console.port': o.consolePort,
      'console.host': o.consoleHost,
    },
  });
}

export interface StartedNode { relais: RunningRelais; admin: AdminApi | undefined; console: RunningConsole | undefined; stop(): Promise<void> }

/**
 * Starts a node and, on the embedded store, the data-directory lock and the local admin endpoint; when
 * `console.enabled`, the operations console (on `console.host`, loopback by default).
 */
export async function startNode(config: RelaisConfig, log: Logger): Promise<StartedNode> {
  const relais = await startRelais(config, log);
  let admin: AdminApi | undefined;
  let unlock = () => {};
  if (!config.store.databaseUrl) {
    try {
      admin = await startAdminApi(relais.store);
      unlock = takeLock(resolve(config.store.dataDir), { pid: process.pid, adminPort: admin.port, token: admin.token });
    } catch (e) {
      await admin?.close();
      await relais.close();
      throw e;
    }
  }
  let operations: RunningConsole | undefined;
  if (config.console.enabled) {
    try {
      operations = await startConsole({
        relais, security: createSecurity({ db: relais.store.db, settings: config.security }), config, log: log.child({ component: 'console' }),
        port: config.console.port, host: config.console.host, secure: config.console.secure, version, documentTypes: segurDocumentTypes,
      });
    } catch (e) {
      await admin?.close();
      await relais.close();
      unlock();
      throw e;
    }
  }
  let stopping: Promise<void> | undefined;
  return {
    relais, admin, console: operations,
    stop: () => (stopping ??= (async () => {
      await operations?.close();
      await relais.close();
      await admin?.close();
      unlock();
    })()),
  };
}

export async function runStart(o: StartOptions): Promise<number> {
  const config = configFromOptions(o);
  const log = createLogger(config.log.level);
  log.info({ version, store: config.store.databaseUrl ? 'postgresql' : `pglite:${config.store.dataDir}` }, 'starting Relais');
  const node = await startNode(config, log);
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'stopping');
      node.stop().then(done, (e: Error) => { log.error({ err: e.message }, 'error while stopping'); done(); });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
