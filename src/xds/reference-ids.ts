import type { CdaHeader } from '../cda/index.js';
import { cx } from './hl7-datatypes.js';

/** The imaging report type (LOINC 18748-4), the one document SC.DB/RIS.09 gives a referenceIdList (digest §C11). */
export const IMAGING_REPORT_TYPE = '18748-4';
/** DICOM root OID, the assigning authority written for Study Instance UIDs (digest §C11: "or the DICOM root"). */
export const DICOM_ROOT_OID = '1.2.840.10008';

const ORDER = 'urn:ihe:iti:xds:2013:order';
const ACCESSION = 'urn:ihe:iti:xds:2013:accession';
const STUDY = 'urn:ihe:iti:xds:2016:studyInstanceUID';

/**
 * referenceIdList (CXi, IHE TF-3 §4.2.3.2.23; types from JDV_J231) for an imaging report: the Order Placer
 * Numbers (`inFulfillmentOf/order/id`), the Accession Numbers (`order/ps3-20:accessionNumber`) and the Study
 * Instance UIDs (`documentationOf/serviceEvent/id/@root`). Other document types carry none.
 */
export function referenceIds(header: CdaHeader): string[] {
  if (header.code.code !== IMAGING_REPORT_TYPE) return [];
  const out: string[] = [];
  for (const order of header.orders) {
    for (const id of order.ids) if (id.extension) out.push(cx(id.extension, id.root, ORDER));
    const acc = order.accessionNumber;
    if (acc?.extension) out.push(cx(acc.extension, acc.root, ACCESSION));
  }
  for (const event of header.serviceEvents) {
    for (const id of event.ids) {
      if (id.extension === undefined || id.extension === '') out.push(cx(id.root, DICOM_ROOT_OID, STUDY));
    }
  }
  return [...new Set(out)];
}
