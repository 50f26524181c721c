// Copies the run-time files that tsc does not emit (the fonts of the PDF/A renderer and their licence) from
// src/ to dist/, keeping their paths, so `new URL('./fonts/…', import.meta.url)` finds them in both trees.
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const assets = ['pdfa/fonts'];

for (const dir of assets) {
  cpSync(`${root}src/${dir}`, `${root}dist/${dir}`, { recursive: true });
}
