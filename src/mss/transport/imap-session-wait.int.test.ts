/**
 * Ending an IMAP wait (IDLE) early, against a scripted implicit-TLS IMAP server: an aborted wait leaves the
 * session usable; logout() during IDLE ends it with a LOGOUT, and closes the socket by itself when the server
 * never answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createTestChain, credentialsFromPem, tlsServerOptions, type Credentials, type TestChain } from '../../pki/index.js';
import { createImapSession, type ImapSession } from './imap-session.js';
import type { MssTrace } from './mss-trace.js';

const bal = { address: 'relais@app.hopital.mssante.fr', password: 'imap-secret-Wq3' };
let chain: TestChain;
let credentials: Credentials;
const servers: Server[] = [];

before(async () => {
  chain = await createTestChain();
  credentials = credentialsFromPem(chain.authCli.keyPem, chain.authCli.chainPem);
});
after(() => {
  for (const s of servers) s.close();
});

interface ScriptedServer { port: number; received: string[]; idleStarted: Promise<void> }

/** Enough IMAP for a session: PLAIN login, SELECT, IDLE; `deaf` ignores DONE and LOGOUT (a stuck server). */
async function scriptedServer(o: { deaf?: boolean } = {}): Promise<ScriptedServer> {
  const received: string[] = [];
  let idling = (): void => undefined;
  const idleStarted = new Promise<void>((r) => { idling = r; });
  const server = createServer(tlsServerOptions({ credentials: credentialsFromPem(chain.server.keyPem, chain.server.chainPem) }), (socket: TLSSocket) => {
    socket.on('error', () => undefined);
    let idleTag: string | undefined;
    let authTag: string | undefined;
    let buffer = '';
    const say = (line: string): void => { if (!socket.destroyed) socket.write(`${line}\r\n`); };
    socket.on('data', (d: Buffer) => {
      buffer += d.toString('latin1');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        received.push(line);
        if (authTag) { say(`${authTag} OK logged in`); authTag = undefined; continue; }
        if (line === 'DONE') {
          if (!o.deaf && idleTag) say(`${idleTag} OK idle done`);
          idleTag = undefined;
          continue;
        }
        const [tag, verb = ''] = line.split(' ');
        switch (verb.toUpperCase()) {
          case 'CAPABILITY': say('* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE'); say(`${tag} OK`); break;
          case 'AUTHENTICATE':
            if (line.split(' ').length > 3) say(`${tag} OK logged in`);
            else { authTag = tag; say('+ '); }
            break;
          case 'SELECT': case 'EXAMINE':
            say('* 0 EXISTS'); say('* OK [UIDVALIDITY 7] ok'); say('* OK [UIDNEXT 1] ok'); say(`${tag} OK [READ-WRITE] selected`); break;
          case 'IDLE': idleTag = tag; say('+ idling'); idling(); break;
          case 'LOGOUT': if (!o.deaf) { say('* BYE bye'); say(`${tag} OK logged out`); socket.end(); } break;
          default: say(`${tag} OK`);
        }
      }
    });
    say('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE] test ready');
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, received, idleStarted };
}

async function session(port: number, traces: MssTrace[]): Promise<ImapSession> {
  const s = await createImapSession({
    host: '127.0.0.1', port, tlsMode: 'implicit', bal, credentials, trust: chain.trustBundlePem, allowTls13: true,
    onTrace: (t) => traces.push(t), timeouts: { connectMs: 5000, socketMs: 60_000 },
  });
  await s.open();
  return s;
}

/** Which settles first: `p`, or a 20 s timer far shorter than the 600 s waits below. */
async function settlesFirst(p: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p.then(() => true), new Promise<false>((res) => { timer = setTimeout(() => res(false), 20_000); })]);
  clearTimeout(timer);
  return r;
}

describe('ending an IMAP wait early', () => {
  it('an aborted wait ends IDLE with DONE and returns false; the session stays usable', async () => {
    const server = await scriptedServer();
    const traces: MssTrace[] = [];
    const s = await session(server.port, traces);
    const wake = new AbortController();
    const waiting = s.waitForNew(600_000, wake.signal);
    await server.idleStarted;
    wake.abort();
    assert.equal(await settlesFirst(waiting), true, 'the wait outlived its abort');
    assert.equal(await waiting, false);
    assert.ok(server.received.includes('DONE'), server.received.join('\n'));
    assert.equal(s.usable, true);
    // Already aborted: no IDLE at all.
    assert.equal(await s.waitForNew(600_000, wake.signal), false);
    assert.equal(server.received.filter((l) => / IDLE$/.test(l)).length, 1);
    await s.logout();
    assert.equal(s.usable, false);
  });

  it('logout() during IDLE ends the wait and logs out politely', async () => {
    const server = await scriptedServer();
    const traces: MssTrace[] = [];
    const s = await session(server.port, traces);
    const waiting = s.waitForNew(600_000);
    await server.idleStarted;
    assert.equal(await settlesFirst(s.logout()), true, 'logout() waited for the IDLE to end');
    assert.equal(await waiting, false);
    assert.equal(s.usable, false);
    assert.deepEqual(server.received.slice(-2).map((l) => l.split(' ').at(-1)), ['DONE', 'LOGOUT']);
    assert.equal(traces.find((t) => t.action === 'logout')?.ok, true);
  });

  it('logout() closes the socket itself when the server answers neither DONE nor LOGOUT', async () => {
    const server = await scriptedServer({ deaf: true });
    const traces: MssTrace[] = [];
    const s = await session(server.port, traces);
    const waiting = s.waitForNew(600_000).catch(() => false);
    await server.idleStarted;
    assert.equal(await settlesFirst(s.logout()), true, 'logout() waited for a server that does not answer');
    assert.equal(s.usable, false);
    await s.closed;
    assert.equal(await settlesFirst(waiting), true);
    // The LOGOUT was not answered: its trace says so.
    await new Promise((r) => setImmediate(r));
    const logout = traces.find((t) => t.action === 'logout');
    assert.equal(logout?.ok, false, JSON.stringify(traces.map((t) => [t.action, t.ok])));
    assert.equal(logout.failure, 'timeout');
  });
});
