import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { DOMParser } from '@xmldom/xmldom';

const run = promisify(execFile);
const javaDir = '/usr/share/java';
// Debian libpdfbox2-java 2.0.27. Preflight also needs javax.activation (libactivation-java) and JAXB
// (libjaxb-api-java), which Java 17 no longer ships and the Debian package does not depend on.
const preflightJars = ['preflight.jar', 'pdfbox2.jar', 'xmpbox.jar', 'fontbox2.jar', 'commons-logging.jar', 'javax.activation.jar', 'jaxb-api.jar'];
// Short-lived JVMs: the client compiler alone and the serial collector start several times faster.
const jvmFlags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
const textJars = ['pdfbox2.jar', 'fontbox2.jar', 'commons-logging.jar', 'pdfbox2-tools.jar'];

export interface PreflightResult { valid: boolean; errors: { code: string; details: string }[] }

/** Why Apache PDFBox cannot run here (no java), or undefined when it can. Missing jars are an error, not a skip. */
export function pdfboxSkipReason(): string | undefined {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    return 'java is not installed: PDF/A-1b checks with Apache PDFBox Preflight skipped';
  }
  const missing = [...new Set([...preflightJars, ...textJars])].filter((j) => !existsSync(join(javaDir, j)));
  if (missing.length > 0) {
    throw new Error(`PDFBox jars missing in ${javaDir}: ${missing.join(', ')} (Debian: libpdfbox2-java libactivation-java libjaxb-api-java)`);
  }
  return undefined;
}

/**
 * PDFBox Preflight (PDF/A-1b) on every file in one JVM (Validator_A1b "xml group" mode), keyed by file name:
 * the names must be distinct.
 */
export async function preflight(files: string[], workDir: string): Promise<Map<string, PreflightResult>> {
  const list = join(workDir, `preflight-${process.pid}-${Date.now()}.txt`);
  writeFileSync(list, files.join('\n') + '\n');
  await run('java', [...jvmFlags, '-cp', classpath(preflightJars), 'org.apache.pdfbox.preflight.Validator_A1b', 'xml', 'group', list], { maxBuffer: 64 << 20 });
  const report = new DOMParser().parseFromString(readFileSync(`${list}.preflight.xml`, 'utf8'), 'text/xml');
  const out = new Map<string, PreflightResult>();
  const nodes = report.getElementsByTagName('preflight');
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes.item(i);
    if (node === null) continue;
    const valid = node.getElementsByTagName('isValid').item(0)?.textContent?.trim() === 'true';
    const errors: PreflightResult['errors'] = [];
    const errs = node.getElementsByTagName('error');
    for (let j = 0; j < errs.length; j++) {
      const e = errs.item(j);
      errors.push({
        code: e?.getElementsByTagName('code').item(0)?.textContent ?? '',
        details: e?.getElementsByTagName('details').item(0)?.textContent ?? '',
      });
    }
    out.set(node.getAttribute('name') ?? '', { valid, errors });
  }
  for (const f of files) {
    if (!out.has(basename(f))) throw new Error(`Preflight gave no result for ${basename(f)}`);
  }
  return out;
}

/** The text PDFBox extracts from each PDF (ExtractText), as a reader's tool would see it; two JVMs at a time. */
export async function extractTexts(files: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) out.set(f, await extractText(f));
  };
  await Promise.all([worker(), worker()]);
  return out;
}

async function extractText(file: string): Promise<string> {
  const { stdout } = await run('java', [...jvmFlags, '-cp', classpath(textJars), 'org.apache.pdfbox.tools.ExtractText', '-encoding', 'UTF-8', '-console', file], {
    maxBuffer: 64 << 20, encoding: 'utf8',
  });
  return stdout;
}

function classpath(jars: string[]): string {
  return jars.map((j) => join(javaDir, j)).join(':');
}
