/** Fixed names of the XDM layout (IHE ITI TF-1 §16, digest §B1). */
export const XDM_ROOT = 'IHE_XDM';
export const INDEX_FILE = 'INDEX.HTM';
export const README_FILE = 'README.TXT';
export const METADATA_FILE = 'METADATA.XML';

/** `SUBSET01`… (ISO-9660 level 1: at most 8 characters). */
export function subsetFolder(n: number): string {
  return `SUBSET${String(n).padStart(2, '0')}`;
}

/** `DOC00001.XML`…: 8.3 upper-case names, so at most 99 999 documents per subset. */
export function documentFile(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99_999) throw new RangeError(`document number ${n} does not fit an 8.3 name`);
  return `DOC${String(n).padStart(5, '0')}.XML`;
}

/** An ISO-9660 level 1 name: upper-case letters, digits and `_`, at most 8 + 3 characters. */
export function isIso9660Name(name: string): boolean {
  return /^[A-Z0-9_]{1,8}(\.[A-Z0-9_]{1,3})?$/.test(name);
}

/**
 * Why an entry name from an untrusted archive is refused, or undefined when it is a plain relative path:
 * absolute paths, drive letters, backslashes, `.`/`..` segments, empty segments and control characters.
 * A trailing `/` marks a folder and is allowed.
 */
export function unsafeEntryName(name: string): string | undefined {
  if (name === '') return 'empty name';
  if (name.includes('\\')) return 'backslash in name';
  if (name.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'drive letter';
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001F\u007F]/.test(name)) return 'control character in name';
  const segments = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  if (segments.some((s) => s === '..')) return 'parent folder (..) in name';
  if (segments.some((s) => s === '.' || s === '')) return 'empty or "." segment in name';
  return undefined;
}
