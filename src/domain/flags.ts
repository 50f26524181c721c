/**
 * The ten MetaDMPMSS flags of volet A (§2.4.9), in the order the volet requires them.
 * Values are Y/N "as set at validation time" in the DPI.
 */
export const metaFlagCodes = [
  'MASQUE_PS',
  'INVISIBLE_PATIENT',
  'INVISIBLE_REP_LEGAUX',
  'CONNEXION_SECRETE',
  'MODIF_CONF_CODE',
  'DESTDMP',
  'DESTMSSANTEPS',
  'DESTMSSANTEPAT',
  'ACK_RECEPTION',
  'ACK_LECTURE_MSS',
] as const;
export type MetaFlagCode = (typeof metaFlagCodes)[number];
export type MetaFlags = Readonly<Record<MetaFlagCode, boolean>>;

/** The two optional ED metadata that follow the ten flags: mail bodies. */
export const mailBodyCodes = ['CORPSMAIL_PS', 'CORPSMAIL_PATIENT'] as const;
export type MailBodyCode = (typeof mailBodyCodes)[number];
