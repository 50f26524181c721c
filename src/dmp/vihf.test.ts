import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { isRelaisError } from '../domain/index.js';
import { fixture, identity, INS, INS_OID, noXmlsec, tempFile } from './testing.js';
import { buildVihf, rfc2253Name, verifyVihf, VIHF_ATTRIBUTE } from './vihf.js';

const f = await fixture();
const patient = { ins: INS, oid: INS_OID };
const now = new Date('2025-02-03T09:00:00Z');
const vihf = buildVihf({ ...identity, patient, signer: f.signer, now, id: '_vihf1' });

function rejects(xml: string, code = 'RLS_DMP_VIHF_INVALID'): void {
  assert.throws(() => verifyVihf(xml, f.chain.sign.certPem), (e) => isRelaisError(e) && e.code === code);
}

describe('VIHF', () => {
  it('verifies a VIHF signed with the ORG SIGN test certificate and returns every attribute of §C3', () => {
    const c = verifyVihf(vihf, f.chain.sign.certPem);
    const A = VIHF_ATTRIBUTE;
    assert.equal(c.id, '_vihf1');
    assert.equal(c.issueInstant, '2025-02-03T09:00:00Z');
    assert.equal(c.nameId, identity.nameId);
    assert.equal(c.authnInstant, '2025-02-03T09:00:00Z');
    assert.deepEqual(c.attributes[A.version], ['3.0']);
    assert.deepEqual(c.attributes[A.authenticationMode], ['INDIRECTE']);
    assert.deepEqual(c.attributes[A.structureId], ['1990000000']);
    assert.deepEqual(c.attributes[A.activitySector], ['SA01^1.2.250.1.71.4.2.4']);
    assert.deepEqual(c.attributes[A.subjectId], [identity.subjectId]);
    assert.deepEqual(c.attributes[A.role], ['AUTOMATE']);
    assert.deepEqual(c.attributes[A.purposeOfUse], ['normal']);
    assert.deepEqual(c.attributes[A.resourceId], [`${INS}^^^&${INS_OID}&ISO^NH`]);
    assert.deepEqual(c.attributes[A.resourceUrn], ['urn:dmp']);
    assert.deepEqual(c.attributes[A.lpsId], ['1.2.250.1.999.9']);
    assert.deepEqual(c.attributes[A.lpsName], ['Relais']);
    assert.deepEqual(c.attributes[A.lpsVersion], ['0.1.0']);
    assert.deepEqual(c.attributes[A.lpsHomologation], ['TEST-HOMOL-1']);
    assert.equal(c.attributes[A.confidentialityCode], undefined);
  });

  it('writes the Issuer as the RFC 2253 DN of the ORG SIGN certificate with ST=', () => {
    const dn = rfc2253Name(f.signer.certificate);
    assert.equal(dn, 'CN=PFI RELAIS TEST,OU=990000000,O=CH TEST RELAIS,ST=TEST,C=FR');
    assert.equal(verifyVihf(vihf, f.chain.sign.certPem).issuer, dn);
  });

  it('uses exclusive C14N, RSA-SHA256, SHA-256 and the X509 certificate in KeyInfo', () => {
    assert.match(vihf, /<ds:CanonicalizationMethod Algorithm="http:\/\/www\.w3\.org\/2001\/10\/xml-exc-c14n#"\/>/);
    assert.match(vihf, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256"/);
    assert.match(vihf, /<ds:DigestMethod Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#sha256"\/>/);
    assert.ok(vihf.includes(`<ds:X509Certificate>${f.signer.certificate.raw.toString('base64')}</ds:X509Certificate>`));
    // SAML schema order: Issuer, Signature, Subject.
    assert.ok(vihf.indexOf('</saml:Issuer><ds:Signature') > 0);
  });

  it('adds the confidentiality-code attribute only for a secret connection', () => {
    const secret = buildVihf({ ...identity, patient, signer: f.signer, secretConnection: true });
    const c = verifyVihf(secret, f.chain.sign.certPem);
    assert.deepEqual(c.attributes[VIHF_ATTRIBUTE.confidentialityCode], ['INVISIBLE_REPRESENTANTS_LEGAUX']);
  });

  it('writes the configured VIHF_Version', () => {
    const v4 = buildVihf({ ...identity, vihfVersion: '4.0', patient, signer: f.signer });
    assert.deepEqual(verifyVihf(v4, f.chain.sign.certPem).attributes[VIHF_ATTRIBUTE.version], ['4.0']);
  });

  it('verifies with xmlsec1 against the ORG SIGN certificate', { skip: noXmlsec }, () => {
    const file = tempFile('vihf.xml', vihf);
    const r = spawnSync('xmlsec1', ['--verify', '--pubkey-cert-pem', tempFile('sign.pem', f.chain.sign.certPem),
      '--trusted-pem', tempFile('root.pem', f.chain.rootCaPem), '--untrusted-pem', tempFile('org.pem', f.chain.orgCaPem),
      '--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^OK$/m);
  });

  it('makes xmlsec1 fail on a tampered VIHF', { skip: noXmlsec }, () => {
    const file = tempFile('vihf-tampered.xml', vihf.replace('>1990000000<', '>1990000001<'));
    const r = spawnSync('xmlsec1', ['--verify', '--pubkey-cert-pem', tempFile('sign.pem', f.chain.sign.certPem),
      '--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion', file], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
  });

  it('refuses a VIHF whose attribute was changed after signing', () => {
    assert.ok(vihf.includes('>1990000000<'));
    rejects(vihf.replace('>1990000000<', '>1990000001<'));
  });

  it('refuses a VIHF verified against another certificate', () => {
    assert.throws(() => verifyVihf(vihf, f.chain.authCli.certPem), (e) => isRelaisError(e) && e.code === 'RLS_DMP_VIHF_INVALID');
  });

  it('refuses a wrapped assertion: an evil assertion carrying the signature, the signed one hidden inside it', () => {
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(vihf)?.[0] ?? '';
    const original = vihf.replace(signature, '');
    const evil = original.replace('ID="_vihf1"', 'ID="_evil"').replace('>1990000000<', '>1990000666<')
      .replace('</saml:Issuer>', `</saml:Issuer>${signature}<saml:Advice>${vihf}</saml:Advice>`);
    rejects(evil);
  });

  it('refuses a wrapped assertion: the signature moved to an evil assertion that references the signed one elsewhere', () => {
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(vihf)?.[0] ?? '';
    const evil = vihf.replace(signature, '').replace('ID="_vihf1"', 'ID="_evil"').replace('>1990000000<', '>1990000666<')
      .replace('</saml:Issuer>', `</saml:Issuer>${signature}`);
    const wrapped = `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header><x:Hidden xmlns:x="urn:x">${vihf}</x:Hidden>`
      + `</soap:Header><soap:Body>${evil}</soap:Body></soap:Envelope>`;
    rejects(wrapped);
  });

  it('refuses an assertion whose signature references another element', () => {
    const moved = vihf.replace('<ds:Reference URI="#_vihf1">', '<ds:Reference URI="#_other">');
    rejects(moved);
  });

  it('refuses SHA-1 unless allowed', () => {
    const sha1 = buildVihf({ ...identity, patient, signer: f.signer, hash: 'sha1' });
    rejects(sha1);
    assert.equal(verifyVihf(sha1, f.chain.sign.certPem, { allowSha1: true }).nameId, identity.nameId);
  });

  it('refuses a VIHF with a DOCTYPE before parsing it', () => {
    rejects(`<!DOCTYPE x [<!ENTITY a "b">]>${vihf}`);
  });

  it('refuses a patient that is not an INS with an OID', () => {
    assert.throws(() => buildVihf({ ...identity, patient: { ins: 'A B', oid: INS_OID }, signer: f.signer }),
      (e) => isRelaisError(e) && e.code === 'RLS_XDS_PATIENT_ID');
  });
});
