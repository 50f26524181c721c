/** Realistic DMP answers written for the dmp/ tests (excluded from the build as test-*.ts). */
export const ENV_OPEN = '<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing">'
  + '<soapenv:Header><wsa:Action>urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse</wsa:Action>'
  + '<wsa:RelatesTo>urn:uuid:11111111-2222-4333-8444-555555555555</wsa:RelatesTo></soapenv:Header><soapenv:Body>';
export const ENV_CLOSE = '</soapenv:Body></soapenv:Envelope>';

export const SUCCESS = `${ENV_OPEN}<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>${ENV_CLOSE}`;

export const FAILURE = `${ENV_OPEN}<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">`
  + '<rs:RegistryErrorList highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error">'
  + '<rs:RegistryError errorCode="XDSPatientIdDoesNotMatch" codeContext="Le patientId du lot ne correspond pas au document" '
  + 'location="urn:uuid:5a6b7c8d-0000-4000-8000-000000000001" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>'
  + '<rs:RegistryError errorCode="DMP_WARN_01" codeContext="Avertissement" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"/>'
  + `</rs:RegistryErrorList></rs:RegistryResponse>${ENV_CLOSE}`;

export const BUSY = `${ENV_OPEN}<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">`
  + '<rs:RegistryErrorList><rs:RegistryError errorCode="XDSRepositoryBusy" codeContext="Try later" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>'
  + `</rs:RegistryErrorList></rs:RegistryResponse>${ENV_CLOSE}`;

export const QUERY = `${ENV_OPEN}<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" `
  + 'status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"><rim:RegistryObjectList>'
  + '<rim:ExtrinsicObject id="urn:uuid:0b7b8e2c-3c1a-4d8e-9f00-1234567890ab" status="urn:oasis:names:tc:ebxml-regrep:StatusType:Approved" mimeType="text/xml" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">'
  + '<rim:Slot name="hash"><rim:ValueList><rim:Value>4cf1a1b1b0f2a3c2d6e5f4a3b2c1d0e9f8a7b6c5</rim:Value></rim:ValueList></rim:Slot>'
  + '<rim:Slot name="size"><rim:ValueList><rim:Value>1234</rim:Value></rim:ValueList></rim:Slot>'
  + '<rim:ExternalIdentifier id="urn:uuid:e1" registryObject="urn:uuid:0b7b8e2c-3c1a-4d8e-9f00-1234567890ab" identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="248000000000001^^^&amp;1.2.250.1.213.1.4.10&amp;ISO"/>'
  + '<rim:ExternalIdentifier id="urn:uuid:e2" registryObject="urn:uuid:0b7b8e2c-3c1a-4d8e-9f00-1234567890ab" identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" value="1.2.250.1.999.2.2001"/>'
  + '</rim:ExtrinsicObject>'
  + '<rim:ExtrinsicObject id="urn:uuid:0b7b8e2c-3c1a-4d8e-9f00-1234567890ac" status="urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"/>'
  + `</rim:RegistryObjectList></query:AdhocQueryResponse>${ENV_CLOSE}`;

export function fault(code: string, subcode: string, reason: string): string {
  return `${ENV_OPEN}<soapenv:Fault><soapenv:Code><soapenv:Value>soapenv:${code}</soapenv:Value>`
    + `<soapenv:Subcode><soapenv:Value xmlns:dmp="urn:dmp:fault">${subcode}</soapenv:Value></soapenv:Subcode></soapenv:Code>`
    + `<soapenv:Reason><soapenv:Text xml:lang="fr">${reason}</soapenv:Text></soapenv:Reason></soapenv:Fault>${ENV_CLOSE}`;
}

export const VIHF_FAULT = fault('Sender', 'wsse:InvalidSecurityToken', 'Le VIHF est invalide : signature incorrecte');
export const MAINTENANCE_FAULT = fault('Receiver', 'dmp:Maintenance', 'Service DMP en maintenance');
