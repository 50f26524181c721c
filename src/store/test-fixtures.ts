/** Rows for store tests: valid by default, every field overridable. Synthetic data, no real patient. */
import { createHash } from 'node:crypto';
import { metaFlagCodes } from '../domain/index.js';
import type { MetaFlags } from '../domain/index.js';
import type { NewDocument } from './documents.js';
import type { NewMessage } from './messages.js';

export function metaFlags(set: Partial<MetaFlags> = {}): MetaFlags {
  return { ...(Object.fromEntries(metaFlagCodes.map((c) => [c, false])) as Record<keyof MetaFlags, boolean>), ...set };
}

export function sampleMessage(over: Partial<NewMessage> = {}): NewMessage {
  return {
    direction: 'in',
    channel: 'hl7',
    peer: 'dpi@127.0.0.1',
    sendingApp: 'DPI',
    sendingFacility: 'HOPITAL',
    controlId: 'MSG0001',
    messageType: 'MDM^T02',
    raw: Buffer.from('MSH|^~\\&|DPI|HOPITAL|RELAIS|HOPITAL|20261126101500||MDM^T02^MDM_T02|MSG0001|P|2.6\r'),
    ack: Buffer.from('MSH|^~\\&|RELAIS|HOPITAL|DPI|HOPITAL|20261126101501||ACK^T02^ACK|ACK0001|P|2.6\rMSA|AA|MSG0001\r'),
    ackCode: 'AA',
    status: 'accepted',
    ...over,
  };
}

export function sampleDocument(messageId: string, over: Partial<NewDocument> = {}): NewDocument {
  const cda = over.cda ?? Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"><title>Test</title></ClinicalDocument>');
  return {
    messageId,
    documentId: '1.2.250.1.999.1.2.3^DOC-1',
    setId: '1.2.250.1.999.1.2.3^SET-1',
    parentDocumentId: null,
    versionNumber: '1',
    action: 'publish',
    patientIns: '279035121518989',
    patientInsOid: '1.2.250.1.213.1.4.8',
    insQualified: true,
    ipp: 'IPP-0001',
    typeCode: '11490-0',
    typeSystem: '2.16.840.1.113883.6.1',
    typeLabel: 'Lettre de sortie',
    title: 'Lettre de sortie',
    level: 'N3',
    flags: metaFlags({ DESTDMP: true, DESTMSSANTEPS: true }),
    cdaSha256: createHash('sha256').update(cda).digest('hex'),
    effectiveTime: '20261126101500+0100',
    historical: false,
    finessGeo: '999999999',
    ...over,
    cda,
  };
}
