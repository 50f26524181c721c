// Lint rules, including the layer arrows of docs/architecture.md: a folder under src/ may import only
// the layers listed for it, and only through their index.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const layers = ['hl7', 'cda', 'pdfa', 'xds', 'xdm', 'dmp', 'mss', 'cisis', 'domain', 'store', 'engine', 'pki',
  'console', 'security', 'stats', 'sandbox', 'cli', 'config'];

/** What each layer may import (besides itself). Arrows point down only. */
const allowed = {
  domain: [],
  // domain/ is the leaf: pure types, rules and the error catalogue, importable by every layer.
  config: ['domain'],
  hl7: ['domain'],
  cda: ['domain'],
  // PDF/A-1 renderings of CDA documents (SC.CDA/DD.12).
  pdfa: ['cda', 'domain'],
  pki: ['domain'],
  xds: ['cda', 'domain'],
  xdm: ['xds', 'cda', 'domain'],
  dmp: ['xds', 'pki', 'cda', 'domain'],
  mss: ['xdm', 'xds', 'pdfa', 'cda', 'pki', 'domain'],
  cisis: ['hl7', 'cda', 'xds', 'domain'],
  store: ['domain'],
  security: ['store', 'domain'],
  stats: ['store', 'domain'],
  engine: ['hl7', 'cda', 'pdfa', 'xds', 'xdm', 'dmp', 'mss', 'cisis', 'domain', 'store', 'pki', 'config'],
  sandbox: ['config', 'hl7', 'cda', 'pdfa', 'xds', 'xdm', 'dmp', 'mss', 'cisis', 'domain', 'pki'],
  console: ['engine', 'store', 'security', 'stats', 'domain', 'config'],
  cli: layers.filter((l) => l !== 'cli'),
};

const layerRules = layers.map((layer) => {
  const forbidden = layers.filter((l) => l !== layer && !allowed[layer].includes(l));
  const others = layers.filter((l) => l !== layer).join('|');
  return {
    files: [`src/${layer}/**/*.ts`],
    // Tests and test support (excluded from the build) may reach across layers.
    ignores: ['src/**/*.test.ts', 'src/**/testing/**', 'src/**/testing.ts', 'src/**/test-*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...(forbidden.length ? [{
            regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
            message: `src/${layer}/ may not import these layers (arrows in docs/architecture.md): ${forbidden.join(', ')}.`,
          }] : []),
          {
            regex: `^(\\.\\./)+(${others})/(?!index\\.js$)`,
            message: 'Import another layer only through its index.js.',
          },
        ],
      }],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  ...layerRules,
);
