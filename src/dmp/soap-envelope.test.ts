import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { provideAndRegisterXml } from '../xds/index.js';
import { parseXml, childElements, elementChildren, firstChild } from './parse-xml.js';
import { SOAP_ACTION, SOAP_NS, soapEnvelope } from './soap-envelope.js';
import { fixture, identity, INS, INS_OID, noXmllint, xmllint } from './testing.js';
import { buildVihf, verifyVihf } from './vihf.js';

const f = await fixture();
const vihf = buildVihf({ ...identity, patient: { ins: INS, oid: INS_OID }, signer: f.signer });
const to = 'https://dmp.test/si-dmp-server/v2/services/repository';
const pnr = provideAndRegisterXml(f.submission, { documents: 'mtom' });
const env = soapEnvelope({ action: SOAP_ACTION.provideAndRegister, to, vihf: `<?xml version="1.0" encoding="UTF-8"?>\n${vihf}`, body: pnr.xml, messageId: 'urn:uuid:00000000-0000-4000-8000-000000000001' });

describe('SOAP 1.2 envelope', () => {
  const root = parseXml(env.xml).documentElement;
  assert.ok(root);
  const header = firstChild(root, SOAP_NS.soap, 'Header');
  assert.ok(header);

  it('carries Action, MessageID and To with mustUnderstand="true", and ReplyTo anonymous', () => {
    for (const [name, value] of [['Action', SOAP_ACTION.provideAndRegister], ['MessageID', env.messageId], ['To', to]] as const) {
      const e = firstChild(header, SOAP_NS.wsa, name);
      assert.equal(e?.textContent, value);
      assert.equal(e?.getAttributeNS(SOAP_NS.soap, 'mustUnderstand'), 'true');
    }
    assert.equal(firstChild(header, SOAP_NS.wsa, 'ReplyTo')?.textContent, 'http://www.w3.org/2005/08/addressing/anonymous');
  });

  it('puts the signed VIHF alone in wsse:Security, and it still verifies inside the envelope', () => {
    const security = firstChild(header, SOAP_NS.wsse, 'Security');
    assert.ok(security);
    assert.deepEqual(elementChildren(security).map((e) => e.localName), ['Assertion']);
    assert.ok(!env.xml.includes('<?xml'));
    assert.equal(verifyVihf(env.xml, f.chain.sign.certPem).nameId, identity.nameId);
  });

  // The VIHF is left out here: its HL7 xsi:type="CE" values (§C3) need the HL7 schemas, which are not loaded.
  it('validates against the SOAP 1.2 envelope schema with a stand-in token in wsse:Security', { skip: noXmllint }, () => {
    const plain = soapEnvelope({ action: SOAP_ACTION.provideAndRegister, to, vihf: '<t:Token xmlns:t="urn:relais:test"/>', body: pnr.xml });
    const r = xmllint(plain.xml, 'w3c/soap-1.2-envelope.xsd', 'envelope.xml');
    assert.equal(r.status, 0, r.stderr);
  });

  it('has an ITI-41 body that validates against XDS.b_DocumentRepository.xsd once xop:Include is inlined', { skip: noXmllint }, () => {
    const body = firstChild(root, SOAP_NS.soap, 'Body');
    assert.ok(body);
    const request = elementChildren(body)[0];
    assert.equal(request?.localName, 'ProvideAndRegisterDocumentSetRequest');
    assert.equal(childElements(request!, 'urn:ihe:iti:xds-b:2007', 'Document').length, 2);
    let xml = request!.toString();
    for (const p of pnr.parts) {
      const include = new RegExp(`<xop:Include [^>]*href="cid:${p.contentId.replace(/[.]/g, '\\.')}"/>`);
      assert.match(xml, include);
      xml = xml.replace(include, p.content.toString('base64'));
    }
    const r = xmllint(xml, 'IHE/XDS.b_DocumentRepository.xsd', 'pnr.xml');
    assert.equal(r.status, 0, r.stderr);
  });

  it('makes the schema check fail when the body is broken', { skip: noXmllint }, () => {
    const body = pnr.xml.replace('<lcm:SubmitObjectsRequest>', '<lcm:SubmitObjectsRequest><rim:Bogus/>');
    assert.notEqual(xmllint(body, 'IHE/XDS.b_DocumentRepository.xsd', 'pnr-broken.xml').status, 0);
  });
});
