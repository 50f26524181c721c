/**
 * One server process of the DMP benchmark (so that its CPU and memory are its own). Modes:
 *  - sandbox:  the DMP stand-in (SOAP/MTOM, VIHF check, metadata rules, registry on disk, verbatim request log);
 *  - baseline: mutual TLS with the same certificates and profile, reads the body, answers 200 with a few bytes —
 *              the least an HTTPS peer can do with the same upload.
 * Args: <mode> <pkiDir> <dataDir>. Prints {"port":n} on stdout when ready; on "stats" from stdin prints
 * {"maxRssMiB":x} and exits.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createTrustStore, loadPemCredentials, tlsServerOptions } from '../src/pki/index.js';
import { DmpSandbox } from '../src/sandbox/index.js';

const [mode, pkiDir, dataDir] = process.argv.slice(2) as ['sandbox' | 'baseline', string, string];
const credentials = loadPemCredentials({ certFile: join(pkiDir, 'server.pem'), keyFile: join(pkiDir, 'server.key') });
const trustStore = createTrustStore('bench', ['root-ca.pem', 'org-ca.pem'].map((f) => readFileSync(join(pkiDir, f), 'utf8')).join('\n'));

let port: number;
let close: () => Promise<void>;
if (mode === 'sandbox') {
  const sandbox = await DmpSandbox.start({ port: 0, dataDir, credentials, trustStore });
  port = sandbox.port;
  close = () => sandbox.close();
} else {
  const server = createServer(tlsServerOptions({ credentials, trustStore }), (req, res) => {
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; });
    req.on('end', () => { res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${size}\n`); });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
  close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
}

process.stdout.write(JSON.stringify({ port }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'stats') {
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    await close();
    process.stdout.write(JSON.stringify({ maxRssMiB }) + '\n');
    process.exit(0);
  }
}
// stdin closed: the benchmark is gone, do not outlive it.
await close();
process.exit(0);
