import type { Hl7Message } from '../hl7/index.js';
import type { Findings } from './findings.js';
import { atSegment } from './segment-refs.js';

export interface VoletAHeader {
  structure: 'ORU_R01' | 'MDM_T02';
  event: 'R01' | 'T02' | 'T10' | 'T04';
  version: '2.5' | '2.6';
  controlId: string;
  sendingApp: string;
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  processingId: string;
  messageTime?: string;
}

/** Volet A §2.4.1: the message profile identifier, compared component by component after trimming. */
export const voletAProfile = { version: '2.1', name: 'CISIS_CDA_HL7_V2' } as const;
const voletBProfileName = 'CISIS_CDA_HL7_LPS';
/** 2.1 and its patch levels (2.1.1, 2.1.2, 2.1.3) name the same message profile. */
const acceptedProfileVersion = /^2\.1(\.\d+)?$/;

const processingIds = new Set(['P', 'T', 'D']);

/**
 * MSH checks (volet A §2.2, §2.4.1): MSH-9 ↔ MSH-12 (ORU 2.5, MDM 2.6), MSH-21 profile, MSH-11, required
 * fields. A message that fails here is answered on these errors alone: the rest would only add noise.
 */
export function readVoletAHeader(message: Hl7Message, f: Findings): VoletAHeader | undefined {
  const msh = message.segment('MSH');
  if (msh === undefined) {
    f.input('100', atSegment('MSH'), 'the message does not start with an MSH segment');
    return undefined;
  }
  const before = f.errors.length;
  const { code, event, structure } = message.messageType;
  let kind: { structure: 'ORU_R01' | 'MDM_T02'; version: '2.5' | '2.6' } | undefined;
  let knownEvent: VoletAHeader['event'] | undefined;
  if (code === '') {
    f.input('101', atSegment('MSH', 1, 9), 'MSH-9 (message type) is empty; expected ORU^R01^ORU_R01 or MDM^T02|T10|T04^MDM_T02');
  } else if (code === 'ORU') {
    kind = { structure: 'ORU_R01', version: '2.5' };
    if (event === 'R01') knownEvent = 'R01';
    else f.input('201', atSegment('MSH', 1, 9), `MSH-9.2 is '${event}'; volet A accepts ORU^R01 only`);
  } else if (code === 'MDM') {
    kind = { structure: 'MDM_T02', version: '2.6' };
    if (event === 'T02' || event === 'T10' || event === 'T04') knownEvent = event;
    else f.input('201', atSegment('MSH', 1, 9), `MSH-9.2 is '${event}'; volet A accepts MDM^T02, MDM^T10 and MDM^T04`);
  } else {
    f.input('200', atSegment('MSH', 1, 9), `MSH-9 is '${code}'; this volet A intake accepts ORU^R01^ORU_R01 (v2.5) and MDM^T02|T10|T04^MDM_T02 (v2.6)`);
  }
  if (kind !== undefined) {
    if (structure === '') {
      f.warn('MSH9_STRUCTURE_MISSING', atSegment('MSH', 1, 9), `MSH-9.3 is empty; ${kind.structure} assumed`);
    } else if (structure !== kind.structure) {
      f.input('200', atSegment('MSH', 1, 9), `MSH-9.3 is '${structure}'; expected ${kind.structure} for ${code}`);
    }
    if (message.version !== kind.version) {
      f.input('203', atSegment('MSH', 1, 12), `MSH-12 is '${message.version}'; volet A sends ${code} in HL7 v${kind.version}`);
    }
  }

  const profiles = msh.repetitions(21).map((r) => ({ version: r.get(1), name: r.get(2) })).filter((p) => p.version !== '' || p.name !== '');
  if (profiles.length === 0) {
    f.input('101', atSegment('MSH', 1, 21), `MSH-21 (message profile) is empty; expected ${voletAProfile.version}^${voletAProfile.name}`);
  } else if (!profiles.some((p) => acceptedProfileVersion.test(p.version) && p.name === voletAProfile.name)) {
    const found = profiles.map((p) => `${p.version}^${p.name}`).join(' ~ ');
    const why = profiles.some((p) => p.name === voletBProfileName)
      ? ' (volet B profile, PFI to DPI: not accepted on the volet A intake)'
      : profiles.some((p) => p.name === voletAProfile.name || p.name === 'CISIS_CDA_HL7_V1')
        ? ' (older volet A version, no longer accepted)'
        : '';
    f.input('203', atSegment('MSH', 1, 21), `MSH-21 is '${found}'${why}; expected ${voletAProfile.version}^${voletAProfile.name}`);
  }

  const processingId = msh.get(11, 1);
  if (processingId === '') {
    f.input('101', atSegment('MSH', 1, 11), 'MSH-11 (processing id) is empty; expected P, T or D');
  } else if (!processingIds.has(processingId)) {
    f.input('202', atSegment('MSH', 1, 11), `MSH-11 is '${processingId}'; expected P, T or D`);
  }

  const required: [number, string][] = [[3, 'sending application'], [4, 'sending facility'], [5, 'receiving application'], [6, 'receiving facility'], [10, 'message control id']];
  for (const [field, label] of required) {
    if (msh.get(field, 1) === '') f.input('101', atSegment('MSH', 1, field), `MSH-${field} (${label}) is empty`);
  }

  if (f.errors.length > before || kind === undefined || knownEvent === undefined) return undefined;
  const messageTime = msh.get(7, 1);
  return {
    structure: kind.structure,
    event: knownEvent,
    version: kind.version,
    controlId: msh.get(10, 1),
    sendingApp: msh.get(3, 1),
    sendingFacility: msh.get(4, 1),
    receivingApp: msh.get(5, 1),
    receivingFacility: msh.get(6, 1),
    processingId,
    ...(messageTime === '' ? {} : { messageTime }),
  };
}
