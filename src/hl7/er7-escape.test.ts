import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHl7, unescapeHl7 } from './er7-escape.js';
import { defaultDelimiters, readDelimiters } from './delimiters.js';

const d = defaultDelimiters;

describe('escapeHl7', () => {
  it('escapes every delimiter and line breaks', () => {
    assert.equal(escapeHl7('a|b^c&d~e\\f\rg\nh', d), 'a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D\\g\\X0A\\h');
  });

  it('returns the same string when nothing needs escaping', () => {
    const s = 'QUJDRA=='.repeat(1000);
    assert.equal(escapeHl7(s, d), s);
  });

  it('escapes with custom delimiters, including a truncation character', () => {
    const c = readDelimiters('MSH#*$@!%#');
    assert.equal(escapeHl7('#*$@!%^|', c), '@F@@S@@R@@E@@T@@P@^|');
  });
});

describe('unescapeHl7', () => {
  it('decodes \\F\\ \\S\\ \\T\\ \\R\\ \\E\\', () => {
    assert.equal(unescapeHl7('\\F\\\\S\\\\T\\\\R\\\\E\\', d), '|^&~\\');
  });

  it('decodes \\X0D\\ to a carriage return', () => {
    assert.equal(unescapeHl7('a\\X0D\\b', d), 'a\rb');
  });

  it('decodes \\XC3A9\\ as UTF-8 bytes into é', () => {
    assert.equal(unescapeHl7('caf\\XC3A9\\', d, 'UTF-8'), 'café');
  });

  it('decodes \\XE9A4\\ as ISO-8859-15 bytes into é€', () => {
    assert.equal(unescapeHl7('\\XE9A4\\', d, 'ISO-8859-15'), 'é€');
  });

  it('keeps a hex escape verbatim when its bytes are not valid in the charset or not whole pairs', () => {
    assert.equal(unescapeHl7('\\XE9\\', d, 'UTF-8'), '\\XE9\\');
    assert.equal(unescapeHl7('\\XABC\\', d), '\\XABC\\');
    assert.equal(unescapeHl7('\\XZZ\\', d), '\\XZZ\\');
  });

  it('turns \\.br\\ into a line feed', () => {
    assert.equal(unescapeHl7('line 1\\.br\\line 2', d), 'line 1\nline 2');
  });

  it('keeps unknown escapes, formatting commands and an unclosed escape verbatim', () => {
    assert.equal(unescapeHl7('\\H\\bold\\N\\ \\.sp2\\ \\Zabc\\ x', d), '\\H\\bold\\N\\ \\.sp2\\ \\Zabc\\ x');
    assert.equal(unescapeHl7('end\\F', d), 'end\\F');
    assert.equal(unescapeHl7('\\P\\', d), '\\P\\');
  });

  it('reads a doubled escape character as a literal one followed by a sequence', () => {
    assert.equal(unescapeHl7('a\\\\F\\b', d), 'a\\|b');
  });

  it('round-trips any text through escape then unescape, with standard and custom delimiters', () => {
    const c = readDelimiters('MSH#*$@!#');
    for (const text of ['', 'plain', '|^~\\&', 'x\r\ny', 'Message-ID: <a|b^c@d>', '\\X0D\\ literal', '#*$@!', 'é€ 😀']) {
      assert.equal(unescapeHl7(escapeHl7(text, d), d), text);
      assert.equal(unescapeHl7(escapeHl7(text, c), c), text);
    }
  });
});
