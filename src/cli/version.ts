/** The technical version shown by `relais --version`, the logs and later the console (DSR §4.2.1). */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0'; // running from an unusual layout: the version is informative only
  }
}

export const version = readVersion();
