import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoPatients } from '../demo-patients.js';
import { defaultMailboxes, domainsOf, resolveMailboxes } from './mailboxes.js';

describe('sandbox mailboxes', () => {
  it('lists the BAL APP, a BAL ORG, a professional and one patient mailbox per demo patient and ANS example INS', () => {
    const boxes = resolveMailboxes(defaultMailboxes());
    assert.deepEqual(boxes.filter((b) => b.role !== 'patient').map((b) => [b.role, b.address]), [
      ['app', 'relais@relais.test.mssante.fr'], ['org', 'secretariat@relais.test.mssante.fr'], ['ps', 'dr.martin@pro.test.mssante.fr'],
    ]);
    const patients = boxes.filter((b) => b.role === 'patient').map((b) => b.address);
    for (const p of demoPatients) assert.ok(patients.includes(`${p.ins}@patient.mssante.fr`), p.ins);
    assert.ok(patients.includes('279035121518989@patient.mssante.fr'));
    assert.ok(patients.every((a) => /^\d{15}@patient\.mssante\.fr$/.test(a)));
  });

  it('logs in with the address and gives each mailbox its own random password unless one is set', () => {
    const [a, b, c] = resolveMailboxes([
      { role: 'app', address: 'Relais@Relais.test.mssante.fr' }, { role: 'ps', address: 'x@pro.test.mssante.fr' },
      { role: 'org', address: 'y@relais.test.mssante.fr', password: 'fixe' },
    ]);
    assert.equal(a!.address, 'relais@relais.test.mssante.fr');
    assert.equal(a!.login, a!.address);
    assert.notEqual(a!.password, b!.password);
    assert.ok(a!.password.length >= 16);
    assert.equal(c!.password, 'fixe');
  });

  it('refuses what would break the Postfix and Dovecot tables', () => {
    assert.throws(() => resolveMailboxes([{ role: 'ps', address: 'a b@pro.test.mssante.fr' }]), /not a usable/);
    assert.throws(() => resolveMailboxes([{ role: 'ps', address: 'a@pro.test.mssante.fr' }, { role: 'org', address: 'A@pro.test.mssante.fr' }]), /twice/);
    assert.throws(() => resolveMailboxes([{ role: 'ps', address: 'a@pro.test.mssante.fr', password: 'a:b' }]), /may not contain/);
  });

  it('serves the three MSSanté-shaped domains plus any domain of a configured mailbox', () => {
    assert.deepEqual(domainsOf(resolveMailboxes([{ role: 'ps', address: 'a@autre.test.mssante.fr' }])),
      ['relais.test.mssante.fr', 'pro.test.mssante.fr', 'patient.mssante.fr', 'autre.test.mssante.fr']);
  });
});
