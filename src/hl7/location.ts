/** A value at one position: segment name, segment occurrence (1-based among segments of that name),
 *  field, repetition, component, subcomponent (all 1-based). Printed as ERL: "PID^1^3" / "PID^1^3^1^5". */
export interface Hl7Location {
  segment: string;
  occurrence: number;
  field?: number;
  repetition?: number;
  component?: number;
  subcomponent?: number;
}

/** ERL (HL7 v2.5 data type): segment^sequence^field^repetition^component^subcomponent, cut after the
 *  last position given. A component without a repetition implies repetition 1. */
export function formatLocation(loc: Hl7Location): string {
  const parts: (string | number)[] = [loc.segment, loc.occurrence];
  if (loc.field === undefined) return parts.join('^');
  parts.push(loc.field);
  if (loc.repetition === undefined && loc.component === undefined && loc.subcomponent === undefined) return parts.join('^');
  parts.push(loc.repetition ?? 1);
  if (loc.component === undefined && loc.subcomponent === undefined) return parts.join('^');
  parts.push(loc.component ?? 1);
  if (loc.subcomponent !== undefined) parts.push(loc.subcomponent);
  return parts.join('^');
}
