/** The package version: VIHF LPS_Version, README.TXT of the XDM archives, logs. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0'; // an unusual layout: the version is informative only
  }
}

export const softwareVersion = readVersion();
