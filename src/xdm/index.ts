export type {
  XdmAction, XdmDocumentInput, XdmSender, XdmArchiveInput, XdmArchiveEntry, XdmArchive, XdmReadLimits, XdmReadOptions,
  XdmPatient, XdmSubmissionSet, XdmDocument, XdmErrorCode, XdmReadResult,
} from './types.js';
export { buildXdmArchive, replacedEntryUuid } from './write-archive.js';
export type { XdmBuildOptions } from './write-archive.js';
export { readXdmArchive, looksLikeXdm } from './read-archive.js';
export { DEFAULT_XDM_LIMITS } from './zip-reader.js';
export { ACTION_SLOT, ACTION_CODE } from './metadata.js';
export { XDM_ROOT, INDEX_FILE, README_FILE, METADATA_FILE, subsetFolder, documentFile, isIso9660Name } from './xdm-names.js';
