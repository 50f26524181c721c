/**
 * Reads the configuration once: defaults ← YAML file ← RELAIS_* environment. Every value is checked
 * against config-schema.ts; an error names the key, the bad value, where it came from and the fix.
 *
 * Environment names: RELAIS_ + the key path in upper snake case, levels joined by `__`
 * (intake.mssMatrixProfile → RELAIS_INTAKE__MSS_MATRIX_PROFILE; mllp.listeners[0].port →
 * RELAIS_MLLP__LISTENERS__0__PORT). Shortcuts: DATABASE_URL, RELAIS_MLLP_PORT, RELAIS_DMP_URL, RELAIS_PKI_DIR (DMP and
 * MSSanté), RELAIS_DPI, RELAIS_MSS_SMTP / _IMAP / _BAL / _PASSWORD (the first mailbox), RELAIS_MSS_CA, RELAIS_MSS_ERROR_BAL.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { RelaisError } from '../domain/index.js';
import { configSchema, type Rule, type Schema } from './config-schema.js';
import type { RelaisConfig } from './config-types.js';
import { envName } from './env-name.js';

export interface LoadOptions {
  /** Path of the YAML file; undefined = defaults and environment only. */
  file?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, as key paths, applied last. */
  overrides?: Readonly<Record<string, unknown>>;
}

type Source = { value: unknown; from: string };
type Tree = { [key: string]: Source | Tree | Tree[] | undefined };

export function loadConfig(options: LoadOptions = {}): RelaisConfig {
  const env = options.env ?? {};
  let fileTree: unknown = {};
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (e) {
      throw new RelaisError('RLS_CONFIG_FILE', `Cannot read the configuration file ${options.file}: ${(e as Error).message}`, { file: options.file });
    }
    try {
      fileTree = parseYaml(text) ?? {};
    } catch (e) {
      throw new RelaisError('RLS_CONFIG_FILE', `The configuration file ${options.file} is not valid YAML: ${(e as Error).message}`, { file: options.file });
    }
    if (typeof fileTree !== 'object' || Array.isArray(fileTree)) {
      throw new RelaisError('RLS_CONFIG_FILE', `The configuration file ${options.file} must hold a YAML mapping at its top level.`, { file: options.file });
    }
  }
  const raw = mark(fileTree, options.file ? `file ${options.file}` : 'file');
  applyEnv(raw as Tree, env);
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(raw as Tree, path.split('.'), { value, from: `option ${path}` });
  }
  return deepFreeze(validate(configSchema, raw as Tree, '')) as unknown as RelaisConfig;
}

/** Wraps every leaf of the parsed file with where it came from. */
function mark(node: unknown, from: string): Tree | Tree[] | Source {
  if (Array.isArray(node)) {
    if (node.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return node.map((x) => mark(x, from) as Tree);
    return { value: node, from };
  }
  if (node !== null && typeof node === 'object') {
    const out: Tree = {};
    for (const [k, v] of Object.entries(node)) out[k] = mark(v, from) as Tree;
    return out;
  }
  return { value: node, from };
}

function isSource(x: unknown): x is Source {
  return x !== null && typeof x === 'object' && 'from' in x && 'value' in x;
}


function applyEnv(tree: Tree, env: Readonly<Record<string, string | undefined>>): void {
  const shortcuts: Record<string, string> = {
    DATABASE_URL: 'store.databaseUrl', RELAIS_MLLP_PORT: 'mllp.listeners.0.port', RELAIS_DMP_URL: 'dmp.url',
    RELAIS_PKI_DIR: 'dmp.pkiDir mss.pkiDir', RELAIS_DPI: 'dpi.endpoint',
    RELAIS_MSS_SMTP: 'mss.mailboxes.0.smtp', RELAIS_MSS_IMAP: 'mss.mailboxes.0.imap', RELAIS_MSS_BAL: 'mss.mailboxes.0.address',
    RELAIS_MSS_PASSWORD: 'mss.mailboxes.0.password', RELAIS_MSS_CA: 'mss.caFile', RELAIS_MSS_ERROR_BAL: 'mss.errorMailbox',
  };
  for (const [name, paths] of Object.entries(shortcuts)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    for (const path of paths.split(' ')) setPath(tree, path.split('.'), { value: v, from: `environment ${name}` });
  }
  const known = new Map<string, string[]>();
  collectEnvNames(configSchema, [], known);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('RELAIS_') || value === undefined || name in shortcuts) continue;
    const path = known.get(name) ?? matchArrayEnv(name, known);
    if (!path) continue; // other RELAIS_* variables belong to later features or the CLI
    setPath(tree, path, { value, from: `environment ${name}` });
  }
}

function collectEnvNames(schema: Schema, prefix: string[], out: Map<string, string[]>): void {
  for (const [key, rule] of Object.entries(schema)) {
    const path = [...prefix, key];
    if (rule.type === 'object') collectEnvNames(rule.fields, path, out);
    else if (rule.type === 'array') collectEnvNames(rule.item, [...path, '*'], out);
    else out.set(envName(path), path);
  }
}

function matchArrayEnv(name: string, known: Map<string, string[]>): string[] | undefined {
  const m = /__(\d+)__/.exec(name);
  if (!m) return undefined;
  const generic = name.replace(`__${m[1]}__`, '__*__');
  const path = known.get(generic);
  return path?.map((p) => (p === '*' ? m[1]! : p));
}

function setPath(tree: Tree, path: string[], leaf: Source): void {
  let node: Tree | Tree[] = tree;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const nextIsIndex = /^\d+$/.test(path[i + 1]!);
    const container = node as Record<string, unknown>;
    let child = container[key];
    if (child === undefined || isSource(child)) {
      child = nextIsIndex ? [] : {};
      container[key] = child;
    }
    node = child as Tree | Tree[];
  }
  (node as Record<string, unknown>)[path[path.length - 1]!] = leaf;
}

function fail(path: string, src: Source | undefined, expectation: string, fix: string): never {
  const shown = src === undefined ? '(missing)' : JSON.stringify(src.value);
  const from = src ? ` (from ${src.from})` : '';
  throw new RelaisError(
    'RLS_CONFIG_INVALID',
    `Configuration error: ${path} = ${shown}${from}: ${expectation}. Fix: ${fix}.`,
    { key: path, source: src?.from },
  );
}

function validate(schema: Schema, tree: Tree, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(tree)) {
    if (!(key in schema)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const node = tree[key];
      fail(path, isSource(node) ? node : { value: '…', from: 'configuration' }, 'this key is unknown', `remove it, or check its spelling against docs/configuration.md`);
    }
  }
  for (const [key, rule] of Object.entries(schema)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out[key] = validateRule(rule, tree[key], path);
  }
  return out;
}

function validateRule(rule: Rule, node: Source | Tree | Tree[] | undefined, path: string): unknown {
  if (rule.type === 'object') {
    if (node !== undefined && (isSource(node) || Array.isArray(node))) fail(path, isSource(node) ? node : undefined, 'expected a mapping of keys', 'write it as a YAML mapping');
    return validate(rule.fields, (node as Tree | undefined) ?? {}, path);
  }
  if (rule.type === 'array') {
    if (node === undefined) return rule.default.map((d, i) => validate(rule.item, mark(d, 'default') as Tree, `${path}[${i}]`));
    if (!Array.isArray(node)) fail(path, isSource(node) ? node : undefined, 'expected a list of mappings', rule.fix);
    return node.map((item, i) => validate(rule.item, item ?? {}, `${path}[${i}]`));
  }
  if (node !== undefined && !isSource(node)) fail(path, undefined, 'expected a single value, found a mapping', rule.fix);
  const src = node as Source | undefined;
  if (src === undefined || src.value === null) {
    if (rule.type === 'string' && rule.required) fail(path, src, 'is required', rule.fix);
    return rule.default;
  }
  const v = src.value;
  switch (rule.type) {
    case 'string': {
      if (typeof v !== 'string' && typeof v !== 'number') fail(path, src, 'expected text', rule.fix);
      const s = String(v).trim();
      if (s === '' && !rule.allowEmpty) fail(path, src, 'must not be empty', rule.fix);
      if (rule.pattern && s !== '' && !rule.pattern.test(s)) fail(path, src, 'has the wrong form', rule.fix);
      return s;
    }
    case 'int': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
      if (!Number.isInteger(n)) fail(path, src, 'expected a whole number', rule.fix);
      if (n < rule.min || n > rule.max) fail(path, src, `must be between ${rule.min} and ${rule.max}`, rule.fix);
      return n;
    }
    case 'bool': {
      if (typeof v === 'boolean') return v;
      const s = String(v).trim().toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(s)) return true;
      if (['false', 'no', 'off', '0'].includes(s)) return false;
      return fail(path, src, 'expected true or false', rule.fix);
    }
    case 'enum': {
      const s = String(v).trim();
      if (!rule.values.includes(s)) fail(path, src, `expected one of ${rule.values.join(', ')}`, rule.fix);
      return s;
    }
    case 'list': {
      const items = Array.isArray(v) ? v.map(String) : String(v).split(',').map((x) => x.trim()).filter((x) => x !== '');
      for (const item of items) {
        if (rule.item && !rule.item.test(item)) fail(path, src, `the item ${JSON.stringify(item)} has the wrong form`, rule.fix);
      }
      return items;
    }
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
