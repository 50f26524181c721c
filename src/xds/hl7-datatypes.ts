/**
 * HL7 v2 datatypes as XDS writes them in slots (MSS/DMP digest §B2 "HL7 v2 datatype formats"): XCN, XON, CX,
 * CE. Components are escaped with the standard HL7 escapes so that a name holding `^` or `&` stays one component.
 */

/** Escapes the HL7 delimiters `\ | ^ & ~` of one component (HL7 v2 §2.7). */
export function escapeHl7Component(value: string): string {
  return value.replace(/[\\|^&~]/g, (c) => ({ '\\': '\\E\\', '|': '\\F\\', '^': '\\S\\', '&': '\\T\\', '~': '\\R\\' })[c] ?? c);
}

const e = escapeHl7Component;

/** HD sub-components of an assigning authority: `&<OID>&ISO`. */
function authority(oid: string): string {
  return `&${e(oid)}&ISO`;
}

export interface XcnParts {
  id: string;
  /** OID of the assigning authority. */
  authority: string;
  family?: string;
  given?: string;
  /** XCN-10: D (legal name) for persons, U (unspecified) for devices. */
  nameType?: string;
  /** XCN-13, e.g. IDNPS, RI. */
  idType?: string;
}

/** XCN: `id^family^given^^^^^^&OID&ISO^nameType^^^idType`. */
export function xcn(p: XcnParts): string {
  return [e(p.id), e(p.family ?? ''), e(p.given ?? ''), '', '', '', '', '', authority(p.authority),
    e(p.nameType ?? ''), '', '', e(p.idType ?? '')].join('^').replace(/\^+$/, '');
}

export interface XonParts {
  name: string;
  /** OID of the assigning authority. */
  authority?: string;
  /** XON-7, e.g. IDNST. */
  idType?: string;
  /** XON-10, the organization identifier. */
  id?: string;
}

/** XON: `name^^^^^&OID&ISO^idType^^^id`. */
export function xon(p: XonParts): string {
  return [e(p.name), '', '', '', '', p.authority === undefined ? '' : authority(p.authority), e(p.idType ?? ''), '', '',
    e(p.id ?? '')].join('^').replace(/\^+$/, '');
}

/** CX: `id^^^&OID&ISO`, with CX-5 (identifier type) when given. */
export function cx(id: string, authorityOid: string, idType?: string): string {
  return `${e(id)}^^^${authority(authorityOid)}${idType === undefined ? '' : `^${e(idType)}`}`;
}

/** CE as XDS writes it in author slots: `code^display^OID`. */
export function ce(code: string, display: string | undefined, codeSystem: string | undefined): string {
  return `${e(code)}^${e(display ?? '')}^${e(codeSystem ?? '')}`;
}
