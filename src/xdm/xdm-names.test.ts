import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { documentFile, isIso9660Name, subsetFolder, unsafeEntryName } from './xdm-names.js';

describe('XDM names', () => {
  it('numbers documents and subsets with 8.3 names, and refuses a number that does not fit', () => {
    assert.equal(documentFile(1), 'DOC00001.XML');
    assert.equal(documentFile(99_999), 'DOC99999.XML');
    assert.equal(subsetFolder(1), 'SUBSET01');
    for (const name of [documentFile(42), subsetFolder(12), 'IHE_XDM', 'INDEX.HTM', 'README.TXT', 'METADATA.XML']) assert.ok(isIso9660Name(name), name);
    for (const name of ['doc00001.xml', 'DOCUMENT01.XML', 'DOC.XHTML', 'É.XML', 'A B.XML']) assert.ok(!isIso9660Name(name), name);
    assert.throws(() => documentFile(0), RangeError);
    assert.throws(() => documentFile(100_000), RangeError);
  });

  it('accepts plain relative names and folders, and says why it refuses the others', () => {
    for (const name of ['INDEX.HTM', 'IHE_XDM/', 'IHE_XDM/SUBSET01/DOC00001.XML', 'a..b/c']) assert.equal(unsafeEntryName(name), undefined, name);
    assert.deepEqual(
      ['', '/etc/passwd', 'C:/x', 'c:x', 'a\\b', '../x', 'a/../../x', './x', 'a//b', 'a\u0000b', 'a\nb'].map(unsafeEntryName),
      ['empty name', 'absolute path', 'drive letter', 'drive letter', 'backslash in name', 'parent folder (..) in name',
        'parent folder (..) in name', 'empty or "." segment in name', 'empty or "." segment in name', 'control character in name',
        'control character in name'],
    );
  });
});
