/** One concept of a value set: the code, its display and the OID of its code system (the XDS codingScheme). */
export interface ValueSetConcept {
  readonly code: string;
  readonly display: string;
  readonly codeSystem: string;
}

/** JDV_J66 concepts also carry the DMP classCode of the type (ASS_X16), when the value set gives one. */
export interface TypeCodeConcept extends ValueSetConcept {
  readonly classCode?: string;
}

export interface ValueSet<C extends ValueSetConcept = ValueSetConcept> {
  readonly oid: string;
  readonly name: string;
  readonly version: string;
  readonly concepts: readonly C[];
  /** The concept with this code (and code system, when given), else undefined. */
  find(code: string, codeSystem?: string): C | undefined;
}

type Row = readonly [code: string, display: string, codeSystem: string, classCode?: string];

/** Builds a frozen value set from rows `[code, display, codeSystem, classCode?]`. */
export function defineValueSet<C extends ValueSetConcept>(
  oid: string, name: string, version: string, rows: readonly Row[],
): ValueSet<C> {
  const concepts = Object.freeze(rows.map(([code, display, codeSystem, classCode]) =>
    Object.freeze(classCode === undefined ? { code, display, codeSystem } : { code, display, codeSystem, classCode }) as C));
  const byCode = new Map<string, C[]>();
  for (const c of concepts) byCode.set(c.code, [...(byCode.get(c.code) ?? []), c]);
  return Object.freeze({
    oid, name, version, concepts,
    find(code: string, codeSystem?: string): C | undefined {
      const hits = byCode.get(code) ?? [];
      return codeSystem === undefined ? hits[0] : hits.find((c) => c.codeSystem === codeSystem);
    },
  });
}
