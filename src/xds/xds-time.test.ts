import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cdaTimeToXds, formatXdsTime } from './xds-time.js';

describe('cdaTimeToXds', () => {
  it('converts a winter time with +0100 to UTC', () => {
    assert.equal(cdaTimeToXds('20210108111700+0100'), '20210108101700');
  });
  it('converts a summer time with +0200 to UTC', () => {
    assert.equal(cdaTimeToXds('20250701120000+0200'), '20250701100000');
  });
  it('crosses midnight and the year when the offset pulls the time back', () => {
    assert.equal(cdaTimeToXds('20250101003000+0100'), '20241231233000');
  });
  it('applies a negative offset', () => {
    assert.equal(cdaTimeToXds('20250110220000-0300'), '20250111010000');
  });
  it('pads a minute-precision time to seconds', () => {
    assert.equal(cdaTimeToXds('202101081117+0100'), '20210108101700');
  });
  it('drops fractional seconds', () => {
    assert.equal(cdaTimeToXds('20210108111700.123+0100'), '20210108101700');
  });
  it('keeps a date without a time as a date', () => {
    assert.equal(cdaTimeToXds('20210108'), '20210108');
  });
  it('reads a time without an offset as Europe/Paris time, winter and summer', () => {
    assert.equal(cdaTimeToXds('20210108111700'), '20210108101700');
    assert.equal(cdaTimeToXds('20210708111700'), '20210708091700');
  });
  it('returns undefined for an impossible date, hour or malformed offset', () => {
    for (const bad of ['20210230', '20210108251700+0100', '20210108111700+01', 'yesterday', '2021010']) {
      assert.equal(cdaTimeToXds(bad), undefined, bad);
    }
  });
});

describe('formatXdsTime', () => {
  it('writes an instant as UTC YYYYMMDDhhmmss', () => {
    assert.equal(formatXdsTime(new Date('2024-03-15T10:15:07.890Z')), '20240315101507');
  });
});
