import { RelaisError } from '../domain/index.js';
import { buildSubmissionSet, type SubmissionSetInput } from './submission-set.js';
import { XDS_STATUS } from './xds-constants.js';
import { randomUrnUuid, type UuidSource } from './xds-ids.js';
import type { XdsStatusUpdate } from './xds-model.js';

export interface XdsDeletionInput extends Omit<SubmissionSetInput, 'historical' | 'intendedRecipients'> {
  /** The entryUUID of the Approved entry, found by TD3.1b just before (entryUUIDs change with each version). */
  entryUUID: string;
}

const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The ITI-57 metadata of a DMP deletion (TD3.3c, digest §C7): a SubmissionSet, an UpdateAvailabilityStatus
 * association from it to the document entry (OriginalStatus Approved → NewStatus
 * `urn:asip:ci-sis:2010:StatusType:Deleted`), and a HasMember from the SubmissionSet to that association.
 */
export function buildDeletion(input: XdsDeletionInput, options: { newUuid?: UuidSource } = {}): XdsStatusUpdate {
  const newUuid = options.newUuid ?? randomUrnUuid;
  if (!URN_UUID.test(input.entryUUID)) {
    throw new RelaisError('RLS_XDS_MISSING_METADATA', 'the entry to delete is not a urn:uuid', { field: 'entryUUID' });
  }
  const submissionSet = buildSubmissionSet(input, newUuid);
  const update = {
    id: newUuid(), kind: 'UpdateAvailabilityStatus' as const,
    sourceObject: submissionSet.entryUUID, targetObject: input.entryUUID,
    originalStatus: XDS_STATUS.approved, newStatus: XDS_STATUS.dmpDeleted,
  };
  const member = { id: newUuid(), kind: 'HasMember' as const, sourceObject: submissionSet.entryUUID, targetObject: update.id };
  return { submissionSet, associations: [update, member] };
}
