/**
 * JDV_J57 ClassCode-DMP, value set 1.2.250.1.213.1.1.5.6, version 20230922120000:
 * the XDS classCode.
 * Code, display and code-system OID only (NOS, IG terminologie-de-sante). LOINC is 2.16.840.1.113883.6.1;
 * TRE_A10 and TRE_A12 are written `URN` and `ASTM` as the DMP expects them (MSS/DMP digest §C4).
 */
import { defineValueSet, type ValueSetConcept } from './value-set.js';

export const classCodesDmp = defineValueSet<ValueSetConcept>('1.2.250.1.213.1.1.5.6', 'JDV_J57 ClassCode-DMP', '20230922120000', [
  ['10', 'Compte rendu', '1.2.250.1.213.1.1.4.1'],
  ['11', 'Synthèse', '1.2.250.1.213.1.1.4.1'],
  ['31', 'Imagerie médicale', '1.2.250.1.213.1.1.4.1'],
  ['42', 'Prescription', '1.2.250.1.213.1.1.4.1'],
  ['43', 'Dispensation', '1.2.250.1.213.1.1.4.1'],
  ['44', 'Plan de soins, protocole de soins', '1.2.250.1.213.1.1.4.1'],
  ['45', 'Traitement administré', '1.2.250.1.213.1.1.4.1'],
  ['52', 'Certificat, déclaration', '1.2.250.1.213.1.1.4.1'],
  ['60', 'Données de remboursement', '1.2.250.1.213.1.1.4.1'],
  ['90', 'Autres documents déposés par le patient', '1.2.250.1.213.1.1.4.1'],
  ['95', 'Document de gestion', '1.2.250.1.213.1.1.4.1'],
  ['urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1', 'Digital Signature', 'URN'],
]);
