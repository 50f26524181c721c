import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config-load.js';
import { RelaisError } from '../domain/index.js';

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'relais-config-'));
  const file = join(dir, 'relais.yaml');
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): RelaisError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RelaisError, `expected a RelaisError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('gives the documented defaults with no file and no environment', () => {
    const c = loadConfig();
    assert.equal(c.intake.mssMatrixProfile, 'lenient');
    assert.deepEqual(c.intake.qualifiedIdentityCodes, ['QUAL', 'VALI']);
    assert.equal(c.mllp.listeners.length, 1);
    assert.equal(c.mllp.listeners[0]!.port, 2575);
    assert.equal(c.store.databaseUrl, '');
    assert.ok(Object.isFrozen(c.intake));
  });

  it('reads a YAML file and lets RELAIS_* variables override it', () => {
    const file = yamlFile([
      'establishment:',
      '  finessGeographique: "750712184"',
      'intake:',
      '  mssMatrixProfile: "2.1.2"',
      'mllp:',
      '  listeners:',
      '    - name: urgences',
      '      port: 6661',
      '      allowedPeers: [10.0.0.0/8]',
      '    - name: labo',
      '      port: 6662',
    ].join('\n'));
    const c = loadConfig({ file, env: { RELAIS_INTAKE__MSS_MATRIX_PROFILE: '2.1.3', RELAIS_MLLP__LISTENERS__1__PORT: '7000' } });
    assert.equal(c.establishment.finessGeographique, '750712184');
    assert.equal(c.intake.mssMatrixProfile, '2.1.3');
    assert.equal(c.mllp.listeners[0]!.name, 'urgences');
    assert.deepEqual(c.mllp.listeners[0]!.allowedPeers, ['10.0.0.0/8']);
    assert.equal(c.mllp.listeners[1]!.port, 7000);
    assert.equal(c.mllp.listeners[1]!.maxFrameBytes, 16 * 1024 * 1024);
  });

  it('takes DATABASE_URL and RELAIS_MLLP_PORT as shortcuts', () => {
    const c = loadConfig({ env: { DATABASE_URL: 'postgres://u@h/db', RELAIS_MLLP_PORT: '3000' } });
    assert.equal(c.store.databaseUrl, 'postgres://u@h/db');
    assert.equal(c.mllp.listeners[0]!.port, 3000);
  });

  it('takes RELAIS_DMP_URL and RELAIS_PKI_DIR as shortcuts for the DMP section', () => {
    const c = loadConfig({ env: { RELAIS_DMP_URL: 'https://dmp.example/services', RELAIS_PKI_DIR: '/etc/relais/pki' } });
    assert.equal(c.dmp.url, 'https://dmp.example/services');
    assert.equal(c.dmp.pkiDir, '/etc/relais/pki');
    assert.equal(c.dmp.sourceOid, '1.2.250.1.999.1.1');
  });

  it('leaves DMP publication off by default and refuses a plain-http DMP URL', () => {
    assert.equal(loadConfig({ env: {} }).dmp.url, '');
    const e = configError(() => loadConfig({ env: { RELAIS_DMP_URL: 'http://dmp.example/services' } }));
    assert.match(e.message, /dmp\.url/);
  });

  it('takes RELAIS_DPI as a shortcut for dpi.endpoint and leaves ZAM sending off by default', () => {
    assert.equal(loadConfig({ env: {} }).dpi.endpoint, '');
    const c = loadConfig({ env: { RELAIS_DPI: 'dpi.example:6661', RELAIS_DPI__ACK_TIMEOUT_SECONDS: '12' } });
    assert.equal(c.dpi.endpoint, 'dpi.example:6661');
    assert.equal(c.dpi.ackTimeoutSeconds, 12);
  });

  it('takes the MSSanté shortcuts for the first mailbox, and RELAIS_PKI_DIR for both DMP and MSSanté', () => {
    const c = loadConfig({ env: {
      RELAIS_MSS_SMTP: '127.0.0.1:2587', RELAIS_MSS_IMAP: '127.0.0.1:2143', RELAIS_MSS_BAL: 'relais@chu.test.mssante.fr',
      RELAIS_MSS_PASSWORD: 'x', RELAIS_MSS_CA: '/etc/relais/igc.pem', RELAIS_MSS_ERROR_BAL: 'erreurs@chu.test.mssante.fr',
      RELAIS_PKI_DIR: '/etc/relais/pki',
    } });
    assert.deepEqual(
      { ...c.mss.mailboxes[0] },
      {
        address: 'relais@chu.test.mssante.fr', label: 'Messagerie applicative', password: 'x', smtp: '127.0.0.1:2587',
        imap: '127.0.0.1:2143', tlsMode: 'starttls', pollSeconds: 60, processedFolder: 'Traites', errorFolder: 'Erreurs', otherFolder: 'Autres',
      },
    );
    assert.equal(c.mss.caFile, '/etc/relais/igc.pem');
    assert.equal(c.mss.errorMailbox, 'erreurs@chu.test.mssante.fr');
    assert.equal(c.mss.pkiDir, '/etc/relais/pki');
    assert.equal(c.dmp.pkiDir, '/etc/relais/pki');
  });

  it('has no mailbox by default, and refuses a mailbox without an address', () => {
    assert.deepEqual(loadConfig({ env: {} }).mss.mailboxes, []);
    const e = configError(() => loadConfig({ env: { RELAIS_MSS_SMTP: '127.0.0.1:2587' } }));
    assert.match(e.message, /mss\.mailboxes\[0\]\.address = \(missing\): is required/);
  });

  it('reads the correspondents directory and the care units of inbound documents from the file', () => {
    const file = yamlFile([
      'mss:', '  directory:', '    - address: thomas.eric@medecin.mssante.fr', '      personId: "801234564895"', '      family: Eric',
      '  careUnits:', '    - mailbox: dpi@hopitalA.mssante.fr', '      name: "Service d\'urologie"', '      id: "3435"', '      authority: "120456789"',
    ].join('\n') + '\n');
    const c = loadConfig({ file, env: {} });
    assert.equal(c.mss.directory[0]?.personId, '801234564895');
    assert.equal(c.mss.directory[0]?.personIdType, 'IDNPS');
    assert.deepEqual({ ...c.mss.careUnits[0] }, { mailbox: 'dpi@hopitalA.mssante.fr', name: "Service d'urologie", id: '3435', type: 'UF', authority: '120456789' });
  });

  it('refuses a dpi.endpoint without a port', () => {
    const e = configError(() => loadConfig({ env: { RELAIS_DPI: 'dpi.example' } }));
    assert.match(e.message, /dpi\.endpoint/);
  });

  it('names the key, the bad value, its source and the fix for a bad enum value', () => {
    const e = configError(() => loadConfig({ env: { RELAIS_INTAKE__MSS_MATRIX_PROFILE: 'strict' } }));
    assert.equal(e.code, 'RLS_CONFIG_INVALID');
    assert.match(e.message, /intake\.mssMatrixProfile = "strict"/);
    assert.match(e.message, /environment RELAIS_INTAKE__MSS_MATRIX_PROFILE/);
    assert.match(e.message, /Fix: choose 2\.1\.2, 2\.1\.3 or lenient/);
  });

  it('refuses a port out of range with the listener index in the key', () => {
    const file = yamlFile('mllp:\n  listeners:\n    - port: 70000\n');
    const e = configError(() => loadConfig({ file }));
    assert.match(e.message, /mllp\.listeners\[0\]\.port = 70000/);
    assert.match(e.message, /between 0 and 65535/);
  });

  it('refuses a FINESS that is not nine digits', () => {
    const e = configError(() => loadConfig({ env: { RELAIS_ESTABLISHMENT__FINESS_GEOGRAPHIQUE: '12345' } }));
    assert.match(e.message, /establishment\.finessGeographique = "12345"/);
  });

  it('refuses an unknown key so that a misspelling is not silently ignored', () => {
    const file = yamlFile('intake:\n  mssMatrixProfil: lenient\n');
    const e = configError(() => loadConfig({ file }));
    assert.match(e.message, /intake\.mssMatrixProfil/);
    assert.match(e.message, /unknown/);
  });

  it('reports a YAML syntax error with the file name', () => {
    const file = yamlFile('intake: [unclosed\n');
    const e = configError(() => loadConfig({ file }));
    assert.equal(e.code, 'RLS_CONFIG_FILE');
    assert.match(e.message, /not valid YAML/);
  });

  it('refuses an allowed peer that is not an address or range', () => {
    const e = configError(() => loadConfig({ env: { RELAIS_MLLP__LISTENERS__0__ALLOWED_PEERS: '10.0.0.1, hospital.local' } }));
    assert.match(e.message, /"hospital\.local"/);
  });
});
