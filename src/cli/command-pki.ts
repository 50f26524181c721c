import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isRelaisError } from '../domain/index.js';
import { writeTestChain } from '../pki/index.js';

export interface PkiTestInitOptions { force?: boolean; serverNames?: string[] }

/** `relais pki test-init <dir>`: writes a TEST chain shaped like IGC Santé and prints what it wrote. */
export async function runPkiTestInit(dir: string, o: PkiTestInitOptions): Promise<number> {
  const out = (s = '') => process.stdout.write(s + '\n');
  let paths: string[];
  try {
    paths = await writeTestChain(dir, { force: o.force ?? false, serverNames: o.serverNames ?? [] });
  } catch (e) {
    if (!isRelaisError(e)) throw e;
    process.stderr.write(`${e.code}: ${e.message}\n`);
    return 1;
  }
  out(`PKI de TEST (forme IGC Santé) écrite dans ${dir} — à ne jamais utiliser en production :`);
  for (const path of paths) {
    if (path.endsWith('.key')) {
      out(`  ${path}  (clé privée, mode 0600)`);
    } else {
      const c = new X509Certificate(readFileSync(path));
      out(`  ${path}  ${c.subject.split('\n').reverse().join(', ')}  (jusqu'au ${new Date(c.validTo).toISOString().slice(0, 10)})`);
    }
  }
  return 0;
}
