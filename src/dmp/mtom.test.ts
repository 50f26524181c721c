import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isRelaisError } from '../domain/index.js';
import { buildMtom, parseContentType, parseSoapMessage, splitMultipart } from './mtom.js';

const ACTION = 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b';
const root = '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><d xmlns:xop="http://www.w3.org/2004/08/xop/include">'
  + '<xop:Include href="cid:doc1@relais"/><xop:Include href="cid:doc2@relais"/></d></soap:Body></soap:Envelope>';

describe('MTOM', () => {
  const tricky = Buffer.concat([Buffer.from('\r\n--MIMEBoundary_fake\r\nContent-ID: <x>\r\n\r\n--\r\n'), randomBytes(200_000), Buffer.from('\r\n')]);
  const small = Buffer.from([0, 13, 10, 13, 10, 45, 45]);

  it('round-trips binary parts holding CRLF and boundary-like bytes', () => {
    const m = buildMtom({ rootXml: root, action: ACTION, parts: [{ contentId: 'doc1@relais', content: tricky }, { contentId: 'doc2@relais', content: small }] });
    const parsed = parseSoapMessage(m.contentType, m.body);
    assert.ok(parsed.parts.get('doc1@relais')?.equals(tricky));
    assert.ok(parsed.parts.get('doc2@relais')?.equals(small));
    const xml = parsed.rootXml.toString('utf8');
    assert.ok(xml.includes(tricky.toString('base64')));
    assert.ok(!xml.includes('xop:Include'));
  });

  it('announces the XOP package in the Content-Type as the digest §C2 shows', () => {
    const m = buildMtom({ rootXml: root, action: ACTION, parts: [] });
    const ct = parseContentType(m.contentType);
    assert.equal(ct.type, 'multipart/related');
    assert.equal(ct.params['type'], 'application/xop+xml');
    assert.equal(ct.params['start'], '<root.message@relais>');
    assert.equal(ct.params['start-info'], 'application/soap+xml');
    assert.equal(ct.params['action'], ACTION);
    const first = m.body.toString('latin1', 0, 300);
    assert.match(first, /Content-Type: application\/xop\+xml; charset=UTF-8; type="application\/soap\+xml"\r\n/);
    assert.match(first, /Content-Transfer-Encoding: binary\r\nContent-ID: <root\.message@relais>\r\n\r\n<soap:Envelope/);
  });

  it('finds the root part by the start parameter even when it is not first', () => {
    const body = Buffer.from('--b\r\nContent-ID: <att>\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n'
      + '--b\r\nContent-ID: <main>\r\n\r\n<e xmlns:x="http://www.w3.org/2004/08/xop/include"><x:Include href="cid:att"/></e>\r\n--b--\r\n');
    const parsed = parseSoapMessage('multipart/related; boundary=b; start="<main>"; type="application/xop+xml"', body);
    assert.equal(parsed.rootXml.toString(), '<e xmlns:x="http://www.w3.org/2004/08/xop/include">AAEC</e>');
    assert.deepEqual([...parsed.parts.get('att') ?? []], [0, 1, 2]);
  });

  it('takes the first part as root without a start parameter, and ignores preamble and epilogue', () => {
    const body = Buffer.from('preamble\r\n--b\r\nContent-Type: application/xop+xml\r\n\r\n<r/>\r\n--b--\r\nepilogue');
    assert.equal(parseSoapMessage('multipart/related; boundary="b"', body).rootXml.toString(), '<r/>');
  });

  it('reads a plain SOAP 1.2 answer as the root', () => {
    assert.equal(parseSoapMessage('application/soap+xml; charset=utf-8', Buffer.from('<r/>')).rootXml.toString(), '<r/>');
  });

  it('refuses a multipart body without its closing boundary', () => {
    assert.throws(() => splitMultipart(Buffer.from('--b\r\n\r\n<r/>'), 'b'), (e) => isRelaisError(e) && e.code === 'RLS_DMP_MALFORMED');
  });

  it('refuses an xop:Include naming a missing part', () => {
    const body = Buffer.from('--b\r\n\r\n<e><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:nope"/></e>\r\n--b--');
    assert.throws(() => parseSoapMessage('multipart/related; boundary=b', body), (e) => isRelaisError(e) && e.code === 'RLS_DMP_MALFORMED');
  });

  it('refuses to build when the boundary occurs inside a part', () => {
    assert.throws(() => buildMtom({ rootXml: root, action: ACTION, boundary: 'b1', parts: [{ contentId: 'c', content: Buffer.from('x\r\n--b1--') }] }),
      (e) => isRelaisError(e) && e.code === 'RLS_DMP_MALFORMED');
  });

  it('refuses a Content-ID that would break out of its header', () => {
    assert.throws(() => buildMtom({ rootXml: root, action: ACTION, parts: [{ contentId: 'a>\r\nX-Evil: 1', content: small }] }),
      (e) => isRelaisError(e) && e.code === 'RLS_DMP_MALFORMED');
  });

  it('refuses an unexpected answer Content-Type', () => {
    assert.throws(() => parseSoapMessage('text/html', Buffer.from('<html/>')), (e) => isRelaisError(e) && e.code === 'RLS_DMP_MALFORMED');
  });
});
