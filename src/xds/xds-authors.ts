import type { CdaAuthor, CdaOrganization, CdaPerson, CodedValue } from '../cda/index.js';
import { ce, xcn, xon } from './hl7-datatypes.js';
import { ID_NAT_PS_OID, ID_NAT_STRUCT_OID } from './xds-constants.js';
import type { XdsAuthor } from './xds-model.js';

/** The requester of the action, PRT with PRT-4 = SB (volet A §2.4.8 (a)): person (PRT-5) and organisation (PRT-8). */
export interface XdsRequester {
  /** PRT-5.1. */
  personId?: string;
  /** PRT-5.13: RPPS, ADELI or IDNPS. */
  personIdType?: string;
  family?: string;
  given?: string;
  /** PRT-8.1. */
  orgName?: string;
  /** PRT-8.10. */
  orgId?: string;
  /** PRT-8.7: FINEG, FINEJ or IDNST. */
  orgIdType?: string;
}

/** XCN of a CDA person: national PS ids (idNat_PS) get `D … IDNPS`, any other id `D … RI`. */
export function personXcn(person: CdaPerson): string | undefined {
  const id = person.ids.find((i) => i.extension !== undefined && i.extension !== '');
  if (id?.extension === undefined) return undefined;
  return xcn({
    id: id.extension, authority: id.root, family: person.family, given: person.given?.[0],
    nameType: 'D', idType: id.root === ID_NAT_PS_OID ? 'IDNPS' : 'RI',
  });
}

/** XON of a CDA organization: `name^^^^^&<root>&ISO^IDNST^^^<extension>` for idNat_Struct ids (digest §B2). */
export function organizationXon(org: CdaOrganization): string | undefined {
  const id = org.ids.find((i) => i.extension !== undefined && i.extension !== '');
  if (org.name === undefined && id === undefined) return undefined;
  return xon({
    name: org.name ?? '', authority: id?.root, id: id?.extension,
    idType: id === undefined ? undefined : id.root === ID_NAT_STRUCT_OID ? 'IDNST' : 'RI',
  });
}

function codedCe(c: CodedValue | undefined): string[] {
  return c === undefined ? [] : [ce(c.code, c.displayName, c.codeSystem)];
}

/** One XDS author from a CDA author: person or device, organisation, functionCode (role), code (specialty). */
export function authorFromCda(a: CdaAuthor): XdsAuthor {
  let person = a.person === undefined ? undefined : personXcn(a.person);
  if (a.device !== undefined && a.person !== undefined) {
    const id = a.person.ids.find((i) => i.extension !== undefined && i.extension !== '');
    // digest §B2: device/software author `<id>^<name>^^^^^^^&<OID>&ISO^U^^^RI`.
    if (id?.extension !== undefined) {
      person = xcn({ id: id.extension, authority: id.root, family: a.device.softwareName ?? a.device.manufacturerModelName,
        nameType: 'U', idType: 'RI' });
    }
  }
  const institution = a.organization === undefined ? undefined : organizationXon(a.organization);
  return {
    ...(person === undefined ? {} : { person }),
    institutions: institution === undefined ? [] : [institution],
    roles: codedCe(a.functionCode),
    specialties: codedCe(a.specialty),
    telecoms: [],
  };
}

/** idNat_PS of the requester (volet A examples send `8`+RPPS as IDNPS; ADELI becomes `0`+ADELI). */
function requesterPersonId(r: XdsRequester): string | undefined {
  const id = r.personId;
  if (id === undefined || id === '') return undefined;
  if (r.personIdType === 'RPPS' && /^\d{11}$/.test(id)) return `8${id}`;
  if (r.personIdType === 'ADELI' && /^\d{9}$/.test(id)) return `0${id}`;
  return id;
}

/** XON of the requester's organisation: FINEG/FINEJ become idNat_Struct `1`+FINESS, IDNST is kept (digest §B2). */
export function requesterInstitution(r: XdsRequester): string | undefined {
  if (r.orgId === undefined || r.orgId === '') {
    return r.orgName === undefined || r.orgName === '' ? undefined : xon({ name: r.orgName });
  }
  const idNat = r.orgIdType === 'FINEG' || r.orgIdType === 'FINEJ' ? `1${r.orgId}` : r.orgId;
  return xon({ name: r.orgName ?? '', authority: ID_NAT_STRUCT_OID, idType: 'IDNST', id: idNat });
}

/** The SubmissionSet author: the requester person and institution (volet A §2.5). */
export function authorFromRequester(r: XdsRequester): XdsAuthor | undefined {
  const id = requesterPersonId(r);
  const person = id === undefined ? undefined
    : xcn({ id, authority: ID_NAT_PS_OID, family: r.family, given: r.given, nameType: 'D', idType: 'IDNPS' });
  const institution = requesterInstitution(r);
  if (person === undefined && institution === undefined) return undefined;
  return {
    ...(person === undefined ? {} : { person }),
    institutions: institution === undefined ? [] : [institution],
    roles: [], specialties: [], telecoms: [],
  };
}

/** An author holding only an institution (HISTO.04 / DMP derogation RG_2230, digest §C10). */
export function institutionAuthor(institution: string): XdsAuthor {
  return { institutions: [institution], roles: [], specialties: [], telecoms: [] };
}
