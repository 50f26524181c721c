import { it, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachDriver } from '../store/testing.js';
import { listDocuments } from '../store/index.js';
import { defaultVoletAConfig } from '../cisis/index.js';
import { MllpClient, parseEr7 } from '../hl7/index.js';
import { loadConfig } from '../config/index.js';
import { syntheticCda } from '../cda/index.js';
import { buildVoletAMessage, demoAuthor, demoOrganization, demoPatients } from '../sandbox/index.js';
import { hasOpenssl, makePki, type Pki } from '../hl7/testing/test-pki.js';
import { IntakeService } from './intake-service.js';
import { createIntakeListener } from './intake-listener.js';
import { createControlIdGenerator } from './control-ids.js';
import { silentLogger } from './logger.js';

function message(controlId: string, pdfBytes = 2000): string {
  const patient = demoPatients[3]!;
  const root = `1.2.250.1.999.4.${controlId}`;
  return buildVoletAMessage({
    structure: 'ORU', action: 'publish', controlId, timestamp: new Date(), documentId: { root },
    cdaXml: syntheticCda({ typeCode: '34874-8', patient, documentId: { root }, level: 'N3', pdfBytes, author: demoAuthor, organization: demoOrganization, effectiveTime: new Date('2026-11-20T09:00:00Z') }),
    typeCode: { code: '34874-8', label: 'Compte rendu opératoire' }, patient,
    sender: { ...demoAuthor, finess: demoOrganization.finess, orgName: demoOrganization.name }, flags: { DESTDMP: true, DESTMSSANTEPS: false },
  });
}

function msa(reply: Buffer): string[] {
  const m = parseEr7(reply);
  return [m.segment('MSA')!.get(1), m.segment('MSA')!.get(2), ...m.all('ERR').map((e) => e.get(5, 1) || e.get(3, 1))];
}

forEachDriver('intake listener', (ctx) => {
  it('answers an oversized frame AE FRAME_TOO_LARGE with its MSH-10, and the connection stays usable', async () => {
    const config = loadConfig({ env: {}, overrides: { 'mllp.listeners.0.port': 0, 'mllp.listeners.0.maxFrameBytes': 65_536 } }).mllp.listeners[0]!;
    const intake = new IntakeService({ store: ctx.store, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '750000010', log: silentLogger });
    const server = createIntakeListener({ config, intake, log: silentLogger, nextControlId: createControlIdGenerator() });
    const { port } = await server.listen();
    const client = new MllpClient({ host: '127.0.0.1', port, ackTimeoutMs: 10_000 });
    try {
      assert.deepEqual(msa(await client.send(message('L-BIG', 200_000))), ['AE', 'L-BIG', 'FRAME_TOO_LARGE']);
      assert.deepEqual(msa(await client.send(message('L-OK'))), ['AA', 'L-OK']);
      assert.deepEqual((await listDocuments(ctx.store.db, {})).map((d) => d.controlId), ['L-OK']);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('answers each hostile input with the right ERR and keeps serving, on the same and on another connection', async () => {
    const config = loadConfig({ env: {}, overrides: { 'mllp.listeners.0.port': 0 } }).mllp.listeners[0]!;
    const intake = new IntakeService({ store: ctx.store, validation: defaultVoletAConfig, historicalAfterDays: 90, finessGeographique: '750000010', log: silentLogger });
    const server = createIntakeListener({ config, intake, log: silentLogger, nextControlId: createControlIdGenerator() });
    const { port } = await server.listen();
    const client = new MllpClient({ host: '127.0.0.1', port, ackTimeoutMs: 10_000 });
    const other = new MllpClient({ host: '127.0.0.1', port, ackTimeoutMs: 10_000 });
    const good = message('H-OK');
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><ClinicalDocument xmlns="urn:hl7-org:v3">&lol2;</ClinicalDocument>';
    const withPayload = (id: string, payload: string) => good.replace('H-OK', id).replace(/\^TEXT\^XML\^Base64\^[A-Za-z0-9+/=]+/, `^TEXT^XML^Base64^${Buffer.from(payload).toString('base64')}`);
    try {
      const err = (reply: Buffer) => parseEr7(reply).all('ERR').map((e) => `${e.get(3, 1)}@${e.get(2, 1)}^${e.get(2, 2)}^${e.get(2, 3)}`);
      // Entity expansion: refused, never expanded.
      assert.ok(err(await client.send(withPayload('H-BOMB', bomb))).includes('102@OBX^1^5'));
      // Not XML at all in the OBX.
      assert.ok(err(await client.send(withPayload('H-TXT', 'Document medical au format CDA'))).includes('102@OBX^1^5'));
      // Invalid base64.
      assert.ok(err(await client.send(good.replace('H-OK', 'H-B64').replace('^TEXT^XML^Base64^', '^TEXT^XML^Base64^%%%'))).includes('102@OBX^1^5'));
      // ISO-8859-15 bytes declared as UTF-8.
      const latin = Buffer.from(good.replace('H-OK', 'H-LAT').replace('Compte rendu opératoire', 'Compte rendu op\u00e9ratoire'), 'latin1');
      assert.ok(err(await client.send(latin)).includes('102@MSH^1^18'));
      // Not HL7 at all, then a wrong version.
      assert.equal(msa(await client.send('GET / HTTP/1.1\r\n\r\n'))[0], 'AE');
      assert.ok(err(await client.send(good.replace('H-OK', 'H-VER').replace('|2.5|', '|2.3|'))).some((e) => e.startsWith('203@MSH^1^12')));
      // Meanwhile another connection is served, and the first one still is.
      assert.deepEqual(msa(await other.send(good)), ['AA', 'H-OK']);
      assert.deepEqual(msa(await client.send(message('H-OK2'))), ['AA', 'H-OK2']);
      assert.equal((await listDocuments(ctx.store.db, {})).length, 2);
    } finally {
      await client.close();
      await other.close();
      await server.close();
    }
  });
});

describe('intake listener over TLS with a required client certificate', { skip: hasOpenssl() ? false : 'openssl CLI not available' }, () => {
  let dir = '';
  let pki: Pki;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'relais-intake-tls-'));
    pki = makePki(dir);
    for (const [name, bytes] of Object.entries({ 'server.crt': pki.serverCert, 'server.key': pki.serverKey, 'ca.crt': pki.ca })) writeFileSync(join(dir, name), bytes);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads its certificate files from the configuration and refuses a DPI without a client certificate', async () => {
    const config = loadConfig({
      env: {
        RELAIS_MLLP__LISTENERS__0__PORT: '0',
        RELAIS_MLLP__LISTENERS__0__TLS__ENABLED: 'true',
        RELAIS_MLLP__LISTENERS__0__TLS__CERT_FILE: join(dir, 'server.crt'),
        RELAIS_MLLP__LISTENERS__0__TLS__KEY_FILE: join(dir, 'server.key'),
        RELAIS_MLLP__LISTENERS__0__TLS__CA_FILE: join(dir, 'ca.crt'),
        RELAIS_MLLP__LISTENERS__0__TLS__REQUIRE_CLIENT_CERT: 'true',
      },
    }).mllp.listeners[0]!;
    const handled: string[] = [];
    const intake = { handle: async (payload: Buffer) => { handled.push(parseEr7(payload).controlId); return { ack: Buffer.from('MSH|^~\\&|R|H|D|H|20260101||ACK|1|P|2.5\rMSA|AA|T1'), ackCode: 'AA', outcome: 'accepted', controlId: 'T1' }; } } as unknown as IntakeService;
    const server = createIntakeListener({ config, intake, log: silentLogger, nextControlId: createControlIdGenerator() });
    const { port } = await server.listen();
    try {
      const withCert = new MllpClient({ host: '127.0.0.1', port, tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey }, ackTimeoutMs: 5000 });
      assert.deepEqual(msa(await withCert.send('MSH|^~\\&|D|H|R|H|20260101||ORU^R01|T1|P|2.5\r')), ['AA', 'T1']);
      await withCert.close();
      const without = new MllpClient({ host: '127.0.0.1', port, tls: { ca: pki.ca }, ackTimeoutMs: 5000 });
      await assert.rejects(without.send('MSH|^~\\&|D|H|R|H|20260101||ORU^R01|T2|P|2.5\r'));
      await without.close();
      assert.deepEqual(handled, ['T1']);
    } finally {
      await server.close();
    }
  });
});
