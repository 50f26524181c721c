export { DmpClient } from './dmp-client.js';
export type {
  DmpClientOptions, DmpCallOptions, DmpFindOptions, DmpExchange, DmpFailure, DmpOutcome, DmpSubmitOutcome, DmpFindOutcome,
  DmpTransaction,
} from './dmp-client.js';
export { classifyAnswer } from './classify-answer.js';
export type { Classified } from './classify-answer.js';
export { soapEnvelope, newMessageId, SOAP_NS, SOAP_ACTION } from './soap-envelope.js';
export type { SoapEnvelopeInput } from './soap-envelope.js';
export { parseSoapAnswer } from './soap-response.js';
export type { SoapAnswer, SoapFault, RegistryAnswer, RegistryErrorItem, FoundDocumentEntry } from './soap-response.js';
export { buildMtom, parseSoapMessage, splitMultipart, parseContentType, resolveXopIncludes } from './mtom.js';
export type { MtomInput, MtomMessage, MtomPart, MimePart, SoapMessage } from './mtom.js';
export {
  buildVihf, verifyVihf, vihfAssertionXml, vihfResourceId, vihfPatientFromXds, rfc2253Name, AUTOMATON_ROLE, VIHF_ATTRIBUTE,
  SAML_NS, XMLDSIG,
} from './vihf.js';
export type { VihfIdentity, VihfOptions, VihfClaims, VihfCode, VerifyVihfOptions, SignatureHash } from './vihf.js';
export { buildXadesSignature, verifyXadesSignature, XADES_NS } from './xades.js';
export type { XadesOptions, XadesDocument, VerifiedXades, XadesManifestEntry } from './xades.js';
export { parseXml, DEFAULT_MAX_SOAP_BYTES, childElements, elementChildren, firstChild, descendants, attr, text } from './parse-xml.js';
export type { Logger } from './logger.js';
