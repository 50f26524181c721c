import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ASSOCIATION_TYPE, XDS_STATUS, XDS_UUID } from './xds-constants.js';

describe('XDS constants', () => {
  it('writes every fixed id as a urn:uuid, all distinct', () => {
    const ids = Object.values(XDS_UUID);
    for (const id of ids) assert.match(id, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
  it('names the IHE association types and the DMP deleted status', () => {
    assert.equal(ASSOCIATION_TYPE.RPLC, 'urn:ihe:iti:2007:AssociationType:RPLC');
    assert.equal(ASSOCIATION_TYPE.signs, 'urn:ihe:iti:2007:AssociationType:signs');
    assert.equal(XDS_STATUS.dmpDeleted, 'urn:asip:ci-sis:2010:StatusType:Deleted');
  });
});
