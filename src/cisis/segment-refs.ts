import { formatLocation } from '../hl7/index.js';
import type { Hl7Message, Hl7Segment } from '../hl7/index.js';

/** A segment with its position: `occurrence` counts segments of the same name (1-based), as ERR-2 (ERL) does. */
export interface SegmentRef {
  readonly segment: Hl7Segment;
  readonly name: string;
  readonly occurrence: number;
  /** Index in the message (MSH = 0). */
  readonly index: number;
}

export function segmentRefs(message: Hl7Message): SegmentRef[] {
  const counts = new Map<string, number>();
  return message.segments.map((segment, index) => {
    const occurrence = (counts.get(segment.name) ?? 0) + 1;
    counts.set(segment.name, occurrence);
    return { segment, name: segment.name, occurrence, index };
  });
}

/** ERL of a segment, field, repetition or component: 'OBX^3^5', 'PRT^2^15^1^3'. */
export function at(ref: SegmentRef, field?: number, repetition?: number, component?: number): string {
  return formatLocation({
    segment: ref.name,
    occurrence: ref.occurrence,
    ...(field === undefined ? {} : { field }),
    ...(component === undefined ? (repetition === undefined ? {} : { repetition }) : { repetition: repetition ?? 1, component }),
  });
}

/** ERL of a segment known by name only (a missing segment). */
export function atSegment(name: string, occurrence = 1, field?: number): string {
  return formatLocation({ segment: name, occurrence, ...(field === undefined ? {} : { field }) });
}
