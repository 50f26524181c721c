import { createServer } from 'node:net';
import { loadConfig } from '../config/index.js';
import { listDeliveries, listDocuments } from '../store/index.js';
import { demoScenario, sendMessages } from '../sandbox/index.js';
import { createLogger } from './logger.js';
import { startNode } from './command-start.js';

export interface DemoOptions { data: string; mllpPort?: number; exit?: boolean }

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const s = createServer();
    s.once('error', () => resolvePort(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolvePort(true)));
  });
}

/**
 * Runs Relais on the embedded store with a simulated DPI: sends a day of synthetic documents,
 * prints each ACK and what Relais stored, then stays up (unless --exit) so that more can be sent.
 */
export async function runDemo(o: DemoOptions): Promise<number> {
  const port = o.mllpPort ?? ((await portIsFree(2575)) ? 2575 : 0);
  const config = loadConfig({
    env: { ...process.env, DATABASE_URL: '' }, // the demo is the embedded default, whatever the shell says
    overrides: { 'store.dataDir': o.data, 'mllp.listeners.0.port': port, 'mllp.listeners.0.host': '127.0.0.1', 'log.level': process.env.RELAIS_LOG__LEVEL ?? 'error' },
  });
  const log = createLogger(config.log.level);
  const out = (s = '') => process.stdout.write(s + '\n');
  const node = await startNode(config, log);
  const listener = node.relais.listeners[0]!;
  out(`Relais démo — stockage embarqué dans ${config.store.dataDir}, écoute MLLP sur ${listener.host}:${listener.port}`);
  out('Un DPI simulé envoie les documents de la journée :');
  out();

  const scenario = demoScenario();
  const results = await sendMessages({ host: listener.host, port: listener.port }, scenario.map((s) => s.message));
  let surprises = 0;
  scenario.forEach((s, i) => {
    const r = results[i]!;
    if (r.ackCode !== s.expected) surprises++;
    out(`  ${r.ackCode === 'AA' ? '✔' : '✘'} ${r.ackCode}  ${s.label}`);
    for (const e of r.errors) out(`         ERR ${e.code} ${e.location ? 'à ' + e.location + ' ' : ''}: ${e.text}`);
  });

  const documents = await listDocuments(node.relais.store.db, { limit: 100 });
  const deliveries = await listDeliveries(node.relais.store.db, { limit: 1000 });
  out();
  out(`Documents enregistrés : ${documents.length}. Envois en attente des connecteurs DMP / MSSanté : ${deliveries.filter((d) => d.state === 'pending').length}`);
  const byKind = new Map<string, number>();
  for (const d of deliveries) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
  out(`  par destination : ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out();
  out('Voir :  npx relais documents --data ' + o.data + '   |   npx relais deliveries --data ' + o.data);
  out(`Envoyer un message :  npx relais send <fichier.hl7> --to ${listener.host}:${listener.port}`);

  if (o.exit) {
    await node.stop();
    return surprises === 0 ? 0 : 1;
  }
  out('Relais reste à l\'écoute ; Ctrl-C pour arrêter.');
  await new Promise<void>((done) => {
    const stop = () => { node.stop().then(done, done); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return surprises === 0 ? 0 : 1;
}
