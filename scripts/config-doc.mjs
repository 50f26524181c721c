#!/usr/bin/env node
// Rewrites docs/configuration.md from the schema (run with: node --import tsx scripts/config-doc.mjs).
import { writeFileSync } from 'node:fs';
const { renderConfigDoc } = await import('../src/config/config-doc.ts');
writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDoc());
