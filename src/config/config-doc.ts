/** Renders docs/configuration.md from the schema, so the documentation cannot drift from the code. */
import { configSchema, type Rule, type Schema } from './config-schema.js';
import { envName } from './env-name.js';


function describeRule(rule: Exclude<Rule, { type: 'object' } | { type: 'array' }>): [string, string] {
  switch (rule.type) {
    case 'string': return ['text', rule.default === '' ? '(empty)' : `\`${rule.default}\``];
    case 'int': return [`integer ${rule.min}–${rule.max}`, `\`${rule.default}\``];
    case 'bool': return ['true/false', `\`${rule.default}\``];
    case 'enum': return [rule.values.map((v) => `\`${v}\``).join(' \\| '), `\`${rule.default}\``];
    case 'list': return ['list (YAML list, or comma-separated in the environment)', rule.default.length ? `\`[${rule.default.join(', ')}]\`` : '(empty)'];
  }
}

function rows(schema: Schema, path: string[], out: string[]): void {
  for (const [key, rule] of Object.entries(schema)) {
    const p = [...path, key];
    if (rule.type === 'object') rows(rule.fields, p, out);
    else if (rule.type === 'array') rows(rule.item, [...p, 'N'], out);
    else {
      const [type, def] = describeRule(rule);
      const name = p.map((x) => (x === 'N' ? '[N]' : x)).join('.').replace('.[N]', '[N]');
      out.push(`| \`${name}\` | \`${envName(p).replace('__N__', '__<N>__')}\` | ${type} | ${def} | ${rule.fix.replace(/\|/g, '\\|')} |`);
    }
  }
}

export function renderConfigDoc(): string {
  const table: string[] = ['| key | environment | type | default | what to give |', '|---|---|---|---|---|'];
  rows(configSchema, [], table);
  return [
    '# Configuration',
    '',
    'One YAML file (`relais start --config relais.yaml`, or `RELAIS_CONFIG`) plus environment variables, read once',
    'at start, checked, then frozen. Precedence: defaults < file < environment < command-line options.',
    'An invalid value stops Relais with a message naming the key, the value, its source and the fix; an unknown key',
    'in the file is refused too, so that a misspelling is never silently ignored.',
    '',
    'Shortcuts: `DATABASE_URL` = `store.databaseUrl`; `RELAIS_MLLP_PORT` = `mllp.listeners[0].port`.',
    'Listeners are a list: `RELAIS_MLLP__LISTENERS__0__PORT` sets the first one\'s port.',
    '',
    '<!-- generated from src/config/config-schema.ts by scripts/config-doc.mjs; a test checks it is current -->',
    ...table,
    '',
  ].join('\n');
}
