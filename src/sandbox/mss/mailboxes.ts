import { randomBytes } from 'node:crypto';
import { RelaisError } from '../../domain/index.js';
import { demoPatients } from '../demo-patients.js';

/** What a mailbox stands for at the operator (digest §A1): BAL APP, BAL ORG, a professional's BAL PER, a patient. */
export type MailboxRole = 'app' | 'org' | 'ps' | 'patient';

export interface MssMailbox {
  role: MailboxRole;
  address: string;
  /** The SASL PLAIN login: the address itself, as the API LPS wants for a BAL APP (digest §A3). */
  login: string;
  password: string;
}

export interface MailboxSpec {
  role: MailboxRole;
  address: string;
  /** Random when absent. */
  password?: string;
}

export const establishmentDomain = 'relais.test.mssante.fr';
export const professionalDomain = 'pro.test.mssante.fr';
export const patientDomain = 'patient.mssante.fr';
export const sandboxDomains = [establishmentDomain, professionalDomain, patientDomain] as const;

/** INS used by tests built on the ANS examples, besides the demo patients. */
const exampleIns = ['279035121518989', '248000000000001'];

/**
 * The default mailboxes: the Relais BAL APP, a secretariat BAL ORG, one professional, and one patient mailbox per
 * demo patient and per INS of the ANS examples. The list is explicit so that any other recipient bounces.
 */
export function defaultMailboxes(): MailboxSpec[] {
  const patients = [...new Set([...demoPatients.map((p) => p.ins), ...exampleIns])];
  return [
    { role: 'app', address: `relais@${establishmentDomain}` },
    { role: 'org', address: `secretariat@${establishmentDomain}` },
    { role: 'ps', address: `dr.martin@${professionalDomain}` },
    ...patients.map((ins): MailboxSpec => ({ role: 'patient', address: `${ins}@${patientDomain}` })),
  ];
}

const addressShape = /^[a-z0-9][a-z0-9._+-]*@[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** Checks the specs (one line each in Postfix and Dovecot tables) and gives each one its login and password. */
export function resolveMailboxes(specs: readonly MailboxSpec[]): MssMailbox[] {
  const seen = new Set<string>();
  return specs.map((s) => {
    const address = s.address.toLowerCase();
    if (!addressShape.test(address)) throw new RelaisError('RLS_SANDBOX_UNAVAILABLE', `not a usable sandbox mailbox address: ${s.address}`);
    if (seen.has(address)) throw new RelaisError('RLS_SANDBOX_UNAVAILABLE', `mailbox listed twice: ${address}`);
    seen.add(address);
    const password = s.password ?? randomBytes(12).toString('base64url');
    if (/[:\s]/.test(password)) throw new RelaisError('RLS_SANDBOX_UNAVAILABLE', `the password of ${address} may not contain ':' or spaces`);
    return { role: s.role, address, login: address, password };
  });
}

export function domainsOf(mailboxes: readonly MssMailbox[]): string[] {
  return [...new Set([...sandboxDomains, ...mailboxes.map((m) => m.address.split('@')[1] ?? '')])];
}
