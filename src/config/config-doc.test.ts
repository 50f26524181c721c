import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConfigDoc } from './config-doc.js';

describe('docs/configuration.md', () => {
  it('is the rendering of the current schema (run scripts/config-doc.mjs after changing a key)', () => {
    const onDisk = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    assert.equal(onDisk, renderConfigDoc());
  });

  it('lists the MSS matrix profile with its environment variable', () => {
    assert.match(renderConfigDoc(), /`intake\.mssMatrixProfile` \| `RELAIS_INTAKE__MSS_MATRIX_PROFILE`/);
  });
});
