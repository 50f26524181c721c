import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAnswer } from './classify-answer.js';
import { BUSY, FAILURE, fault, MAINTENANCE_FAULT, SUCCESS, VIHF_FAULT } from './test-samples.js';

const SOAP = 'application/soap+xml; charset=UTF-8';

function code(status: number, body: string, ct = SOAP): string {
  const c = classifyAnswer(status, ct, Buffer.from(body));
  return c.ok ? 'ok' : `${c.error.code}/${c.error.kind}`;
}

describe('DMP answer classification', () => {
  it('accepts a Success answer', () => assert.equal(code(200, SUCCESS), 'ok'));
  it('classifies a RegistryError Failure as refused, with the codes but not the codeContext in details', () => {
    const c = classifyAnswer(200, SOAP, Buffer.from(FAILURE));
    assert.ok(!c.ok);
    assert.equal(c.error.code, 'RLS_DMP_REFUSED');
    assert.equal(c.error.kind, 'peer_permanent');
    assert.deepEqual(c.error.details['errorCodes'], ['XDSPatientIdDoesNotMatch']);
    assert.ok(!JSON.stringify(c.error.details).includes('correspond'));
  });
  it('classifies an XDSRepositoryBusy Failure as unavailable', () => assert.equal(code(200, BUSY), 'RLS_DMP_UNAVAILABLE/peer_transient'));
  it('classifies a Sender fault as refused', () => assert.equal(code(500, VIHF_FAULT), 'RLS_DMP_REFUSED/peer_permanent'));
  it('classifies a Receiver maintenance fault as unavailable', () => assert.equal(code(500, MAINTENANCE_FAULT), 'RLS_DMP_UNAVAILABLE/peer_transient'));
  it('classifies a Sender fault whose reason says maintenance as unavailable', () =>
    assert.equal(code(400, fault('Sender', 'x:y', 'Service temporairement indisponible')), 'RLS_DMP_UNAVAILABLE/peer_transient'));
  it('classifies an HTTP 503 HTML page as unavailable', () => assert.equal(code(503, '<html>down</html>', 'text/html'), 'RLS_DMP_UNAVAILABLE/peer_transient'));
  it('classifies an HTTP 404 without SOAP as refused', () => assert.equal(code(404, 'not found', 'text/plain'), 'RLS_DMP_REFUSED/peer_permanent'));
  it('classifies an HTTP 429 as unavailable', () => assert.equal(code(429, '', 'text/plain'), 'RLS_DMP_UNAVAILABLE/peer_transient'));
  it('classifies a garbage 200 answer as a transient bad response', () => assert.equal(code(200, '\u0000garbage'), 'RLS_DMP_BAD_RESPONSE/peer_transient'));
  it('classifies a Success answer under HTTP 500 as unavailable', () => assert.equal(code(500, SUCCESS), 'RLS_DMP_UNAVAILABLE/peer_transient'));
});
