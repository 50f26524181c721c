import type { MetaFlagCode, MetaFlags } from '../domain/index.js';
import type { MssMatrixProfile } from './types.js';

/** The flags a matrix row constrains; a flag left out of `when` may be Y or N ("any" in the volet's table). */
export type MatrixFlag = Exclude<MetaFlagCode, 'MODIF_CONF_CODE' | 'ACK_RECEPTION' | 'ACK_LECTURE_MSS'>;
export interface MssMatrixRow {
  row: number;
  when: Readonly<Partial<Record<MatrixFlag, boolean>>>;
  result: string;
}

const Y = true;
const N = false;

/**
 * Volet A §2.4.10 "Règles de gestion MSSanté", as published in 2.1.2 and as changed by the 2.1.3 draft. The list is
 * exhaustive: when DESTMSSANTEPS or DESTMSSANTEPAT is Y, a combination that matches no row is refused.
 */
export const mssMatrixRows: Readonly<Record<Exclude<MssMatrixProfile, 'lenient'>, readonly MssMatrixRow[]>> = {
  '2.1.2': [
    { row: 1, when: { MASQUE_PS: N, INVISIBLE_PATIENT: N, INVISIBLE_REP_LEGAUX: N, CONNEXION_SECRETE: N, DESTMSSANTEPS: Y, DESTMSSANTEPAT: Y }, result: 'send to professionals and patient' },
    { row: 2, when: { INVISIBLE_PATIENT: Y, INVISIBLE_REP_LEGAUX: N, CONNEXION_SECRETE: N, DESTMSSANTEPS: Y, DESTMSSANTEPAT: N }, result: 'send to professionals only' },
    { row: 3, when: { INVISIBLE_PATIENT: N, CONNEXION_SECRETE: N, DESTDMP: N, DESTMSSANTEPS: N, DESTMSSANTEPAT: Y }, result: 'send to patient only' },
  ],
  '2.1.3': [
    { row: 1, when: { MASQUE_PS: N, INVISIBLE_PATIENT: N, INVISIBLE_REP_LEGAUX: N, DESTMSSANTEPS: Y, DESTMSSANTEPAT: Y }, result: 'send to professionals and patient' },
    { row: 2, when: { MASQUE_PS: N, INVISIBLE_PATIENT: Y, INVISIBLE_REP_LEGAUX: N, DESTMSSANTEPS: Y, DESTMSSANTEPAT: N }, result: 'send to professionals only' },
    { row: 3, when: { INVISIBLE_PATIENT: N, CONNEXION_SECRETE: N, DESTDMP: N, DESTMSSANTEPS: N, DESTMSSANTEPAT: Y }, result: 'send to patient only' },
  ],
};

export type MssRuleViolation =
  | { code: 'PATIENT_INVISIBLE'; flag: MetaFlagCode; detail: string }
  | { code: 'REPRESENTATIVE_INVISIBLE'; flag: MetaFlagCode; detail: string }
  | { code: 'MSS_MATRIX'; flag: MetaFlagCode; detail: string };

const yn = (v: boolean): string => (v ? 'Y' : 'N');

/**
 * The MSS sending rules. In every profile (and alone in `lenient`): never send to the patient a document invisible
 * to the patient, never to a legal representative one invisible to them (§2.4.9 #2, #3). Under 2.1.2 / 2.1.3, the
 * combination must also match a row of the matrix; the violation names the flags that differ from the closest row.
 */
export function checkMssRules(flags: MetaFlags, hasRepresentative: boolean, profile: MssMatrixProfile): MssRuleViolation | undefined {
  if (flags.DESTMSSANTEPAT && flags.INVISIBLE_PATIENT) {
    return { code: 'PATIENT_INVISIBLE', flag: 'INVISIBLE_PATIENT', detail: 'DESTMSSANTEPAT=Y but INVISIBLE_PATIENT=Y: a document invisible to the patient is never sent to the patient' };
  }
  if (hasRepresentative && flags.INVISIBLE_REP_LEGAUX) {
    return { code: 'REPRESENTATIVE_INVISIBLE', flag: 'INVISIBLE_REP_LEGAUX', detail: 'a PRT RCT addresses a legal representative but INVISIBLE_REP_LEGAUX=Y' };
  }
  if (profile === 'lenient' || (!flags.DESTMSSANTEPS && !flags.DESTMSSANTEPAT)) return undefined;

  let best: { row: MssMatrixRow; differing: MatrixFlag[] } | undefined;
  for (const row of mssMatrixRows[profile]) {
    const differing = (Object.keys(row.when) as MatrixFlag[]).filter((k) => row.when[k] !== flags[k]);
    if (differing.length === 0) return undefined;
    const sameSends = row.when.DESTMSSANTEPS === flags.DESTMSSANTEPS && row.when.DESTMSSANTEPAT === flags.DESTMSSANTEPAT;
    if (sameSends && (best === undefined || differing.length < best.differing.length)) best = { row, differing };
  }
  const sends = `DESTMSSANTEPS=${yn(flags.DESTMSSANTEPS)}, DESTMSSANTEPAT=${yn(flags.DESTMSSANTEPAT)}`;
  if (best === undefined) {
    return { code: 'MSS_MATRIX', flag: 'DESTMSSANTEPS', detail: `no row of the ${profile} MSS matrix allows ${sends}` };
  }
  const [first] = best.differing as [MatrixFlag, ...MatrixFlag[]];
  const found = best.differing.map((k) => `${k}=${yn(flags[k])}`).join(', ');
  return {
    code: 'MSS_MATRIX',
    flag: first,
    detail: `the ${profile} MSS matrix does not allow ${sends} with ${found} (row ${best.row.row} requires ${best.differing.map((k) => `${k}=${yn(best.row.when[k] === true)}`).join(', ')})`,
  };
}
