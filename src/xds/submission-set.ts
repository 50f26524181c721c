import { RelaisError } from '../domain/index.js';
import { contentTypeCode } from './content-type.js';
import { xdsPatientId, type XdsPatient } from './patient-ids.js';
import { authorFromRequester, institutionAuthor, type XdsRequester } from './xds-authors.js';
import { isOid, oidFromUuid, type UuidSource } from './xds-ids.js';
import type { XdsIntendedRecipient, XdsSubmissionSet } from './xds-model.js';
import { formatXdsTime } from './xds-time.js';

export interface SubmissionSetInput {
  patient: XdsPatient;
  requester: XdsRequester;
  /** PV1-2. */
  patientClass?: string;
  submissionTime: Date;
  /** OID of this PFI instance (XDSSubmissionSet.sourceId). */
  sourceOid: string;
  /** Default: a new `2.25.<uuid>` OID (ITU-T X.667). Give one when the XAdES signature must name it first. */
  submissionSetUniqueId?: string;
  /** HISTO.04 (digest §C10): add the requester's institution as an extra author. */
  historical?: boolean;
  intendedRecipients?: readonly XdsIntendedRecipient[];
}

/** The SubmissionSet of a DMP or XDM submission (digest §B2, §C4 item 1; volet A §2.5). */
export function buildSubmissionSet(input: SubmissionSetInput, newUuid: UuidSource): XdsSubmissionSet {
  if (!isOid(input.sourceOid)) {
    throw new RelaisError('RLS_CONFIG_INVALID', 'the XDS sourceId is not an OID', { key: 'sourceOid' });
  }
  const entryUUID = newUuid();
  const uniqueId = input.submissionSetUniqueId ?? oidFromUuid(newUuid());
  if (!isOid(uniqueId)) {
    throw new RelaisError('RLS_XDS_UNIQUE_ID', 'the SubmissionSet uniqueId is not an OID', { uniqueId });
  }
  const author = authorFromRequester(input.requester);
  const authors = author === undefined ? [] : [author];
  const institution = author?.institutions[0];
  if (input.historical === true && author?.person !== undefined && institution !== undefined) {
    authors.push(institutionAuthor(institution));
  }
  return {
    entryUUID,
    uniqueId,
    sourceId: input.sourceOid,
    submissionTime: formatXdsTime(input.submissionTime),
    contentTypeCode: contentTypeCode(input.patientClass),
    authors,
    patientId: xdsPatientId(input.patient),
    intendedRecipients: (input.intendedRecipients ?? []).map((r) => ({ ...r })),
  };
}
