/**
 * Fictitious patients for the demo and tests. Their INS use the INS-NIR *test* OID
 * (1.2.250.1.213.1.4.10) and carry a valid NIR key, so they look real to every check but belong to nobody.
 */
import type { SyntheticPatient } from '../cda/index.js';

export const INS_NIR_TEST_OID = '1.2.250.1.213.1.4.10';

/** NIR key: 97 − (13-digit NIR mod 97), on two digits. */
export function nirKey(nir13: string): string {
  return String(97 - Number(BigInt(nir13) % 97n)).padStart(2, '0');
}

function patient(nir13: string, ipp: string, family: string, given: string[], gender: 'M' | 'F', birthDate: string, birthPlace: string): SyntheticPatient {
  return {
    ins: nir13 + nirKey(nir13), insOid: INS_NIR_TEST_OID, ipp, ippAuthority: 'CH-DEMO',
    family, given, gender, birthDate, birthPlace,
  };
}

export const demoPatients: readonly SyntheticPatient[] = [
  patient('2850575112233', '100001', 'MARTINEAU', ['CLAIRE', 'ODILE'], 'F', '19850514', '75112'),
  patient('1620269123045', '100002', 'BERTHOLET', ['JEAN-MARC'], 'M', '19620203', '69123'),
  patient('2931013055078', '100003', 'NGUYEN', ['LINH'], 'F', '19931022', '13055'),
  patient('1770833039011', '100004', 'LEFEUVRE', ['PAUL', 'ANDRE'], 'M', '19770817', '33039'),
];

export const demoAuthor = { rpps: '10101010101', family: 'DURANDAL', given: 'SOPHIE', specialty: 'SM26' };
export const demoOrganization = { finess: '750000010', name: 'Centre hospitalier de démonstration' };
