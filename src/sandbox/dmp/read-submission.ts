import type { Element } from '@xmldom/xmldom';
import { SOAP_NS } from '../../dmp/index.js';
import { ASSOCIATION_TYPE, XDS_UUID, type XdsAssociationKind } from '../../xds/index.js';
import { attribute, child, children, descendants, textOf } from './xml-read.js';

/** The ebRIM metadata of an lcm:SubmitObjectsRequest (ITI-41 or ITI-57), read as the registry sees it. */

export interface ReadCode {
  code: string;
  codingScheme: string;
}

export interface ReadEntry {
  entryUUID: string;
  mimeType?: string;
  uniqueId?: string;
  patientId?: string;
  slots: Map<string, string[]>;
  /** classificationScheme → codes. */
  codes: Map<string, ReadCode[]>;
}

export interface ReadAssociation {
  id: string;
  kind: XdsAssociationKind | 'other';
  sourceObject: string;
  targetObject: string;
  slots: Map<string, string[]>;
}

export interface ReadSubmissionSet {
  entryUUID: string;
  uniqueId?: string;
  sourceId?: string;
  patientId?: string;
  submissionTime?: string;
}

export interface ReadSubmission {
  submissionSet?: ReadSubmissionSet;
  entries: ReadEntry[];
  associations: ReadAssociation[];
}

const rim = SOAP_NS.rim;

function slotsOf(e: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of children(e, rim, 'Slot')) {
    out.set(attribute(s, 'name') ?? '', descendants(s, rim, 'Value').map((v) => textOf(v) ?? ''));
  }
  return out;
}

function externalIds(e: Element): Map<string, string> {
  const out = new Map<string, string>();
  for (const x of children(e, rim, 'ExternalIdentifier')) out.set(attribute(x, 'identificationScheme') ?? '', attribute(x, 'value') ?? '');
  return out;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const KIND_BY_URN = new Map<string, XdsAssociationKind>(
  Object.entries(ASSOCIATION_TYPE).map(([k, v]) => [v, k as XdsAssociationKind]),
);

/** Reads the RegistryObjectList of `request` (an lcm:SubmitObjectsRequest element). */
export function readSubmission(request: Element): ReadSubmission {
  const list = child(request, rim, 'RegistryObjectList');
  if (list === undefined) return { entries: [], associations: [] };
  const entries = children(list, rim, 'ExtrinsicObject').map((eo): ReadEntry => {
    const ids = externalIds(eo);
    const codes = new Map<string, ReadCode[]>();
    for (const c of children(eo, rim, 'Classification')) {
      const scheme = attribute(c, 'classificationScheme') ?? '';
      const code = { code: attribute(c, 'nodeRepresentation') ?? '', codingScheme: slotsOf(c).get('codingScheme')?.[0] ?? '' };
      codes.set(scheme, [...(codes.get(scheme) ?? []), code]);
    }
    return defined({
      entryUUID: attribute(eo, 'id') ?? '', mimeType: attribute(eo, 'mimeType'), slots: slotsOf(eo), codes,
      uniqueId: ids.get(XDS_UUID.documentEntryUniqueId), patientId: ids.get(XDS_UUID.documentEntryPatientId),
    });
  });
  const packages = children(list, rim, 'RegistryPackage');
  const setClassified = new Set(children(list, rim, 'Classification')
    .filter((c) => attribute(c, 'classificationNode') === XDS_UUID.submissionSet).map((c) => attribute(c, 'classifiedObject')));
  const pkg = packages.find((p) => setClassified.has(attribute(p, 'id') ?? '')
    || children(p, rim, 'Classification').some((c) => attribute(c, 'classificationNode') === XDS_UUID.submissionSet));
  let submissionSet: ReadSubmissionSet | undefined;
  if (pkg !== undefined) {
    const ids = externalIds(pkg);
    submissionSet = defined({
      entryUUID: attribute(pkg, 'id') ?? '', uniqueId: ids.get(XDS_UUID.submissionSetUniqueId),
      sourceId: ids.get(XDS_UUID.submissionSetSourceId), patientId: ids.get(XDS_UUID.submissionSetPatientId),
      submissionTime: slotsOf(pkg).get('submissionTime')?.[0],
    });
  }
  const associations = children(list, rim, 'Association').map((a): ReadAssociation => ({
    id: attribute(a, 'id') ?? '', kind: KIND_BY_URN.get(attribute(a, 'associationType') ?? '') ?? 'other',
    sourceObject: attribute(a, 'sourceObject') ?? '', targetObject: attribute(a, 'targetObject') ?? '', slots: slotsOf(a),
  }));
  return { ...(submissionSet === undefined ? {} : { submissionSet }), entries, associations };
}
