#!/usr/bin/env node
// Rewrites the table of docs/errors.md from src/domain/errors.ts (run with: node --import tsx scripts/errors-doc.mjs).
import { readFileSync, writeFileSync } from 'node:fs';
const { errorCatalogue } = await import('../src/domain/errors.ts');
const file = new URL('../docs/errors.md', import.meta.url);
const text = readFileSync(file, 'utf8');
const rows = Object.entries(errorCatalogue).map(([code, e]) => `| \`${code}\` | ${e.kind} | ${e.text} |`);
const table = ['| code | kind | meaning |', '|---|---|---|', ...rows].join('\n');
writeFileSync(file, text.replace(/<!-- table -->[\s\S]*<!-- \/table -->/, `<!-- table -->\n${table}\n<!-- /table -->`));
