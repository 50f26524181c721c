import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';

/**
 * The sandbox's registry and repository state in a data directory: `entries.json` (replaced atomically, temp file
 * then rename) and every request received, byte for byte, under `requests/<timestamp>-<n>.http`.
 */

/** One DocumentEntry as the sandbox registry keeps it. */
export interface SandboxEntry {
  entryUUID: string;
  uniqueId: string;
  patientId: string;
  /** typeCode code (LOINC or TRE_A05), and its coding scheme. */
  typeCode: string;
  typeCodeScheme: string;
  /** The full availabilityStatus URN (Approved, Deprecated, `urn:asip:ci-sis:2010:StatusType:Deleted`). */
  status: string;
  /** ISO 8601. */
  receivedAt: string;
  /** The CDA or the XAdES signature of a submission. */
  kind: 'document' | 'signature';
  mimeType: string;
  hash: string;
  size: number;
  submissionSetUniqueId: string;
  /** confidentialityCode values (HL7 `N` and the DMP visibility codes), as submitted. */
  confidentialityCodes: string[];
  /** eventCodeList (acts, and for imaging the modality and the anatomical region). */
  eventCodes: { code: string; codingScheme: string }[];
  /** referenceIdList CXi values (imaging: order placer number, accession number, study instance UID). */
  referenceIds: string[];
  /** The entryUUID this one replaced (RPLC). */
  replaces?: string;
  /** ISO 8601 of the last status change. */
  updatedAt?: string;
}

interface EntriesFile {
  entries: SandboxEntry[];
}

export const ENTRIES_FILE = 'entries.json';

/** Reads `<dataDir>/entries.json`; no file is an empty registry. */
export async function readEntries(dataDir: string): Promise<SandboxEntry[]> {
  let text: string;
  try {
    text = await readFile(join(dataDir, ENTRIES_FILE), 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return [];
    throw e;
  }
  return (JSON.parse(text) as EntriesFile).entries;
}

export class RegistryStore {
  readonly dataDir: string;
  #entries: SandboxEntry[] = [];
  #requestCount = 0;
  #tempCount = 0;

  private constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  static async open(dataDir: string): Promise<RegistryStore> {
    const store = new RegistryStore(dataDir);
    await mkdir(join(dataDir, 'requests'), { recursive: true });
    store.#entries = await readEntries(dataDir);
    return store;
  }

  get entries(): readonly SandboxEntry[] {
    return this.#entries;
  }

  /** Replaces the whole state and writes it (temp + rename: a reader never sees a half-written file). */
  async save(entries: SandboxEntry[]): Promise<void> {
    const temp = join(this.dataDir, `.${ENTRIES_FILE}.${process.pid}.${++this.#tempCount}.tmp`);
    await writeFile(temp, JSON.stringify({ entries } satisfies EntriesFile, null, 2) + '\n');
    await rename(temp, join(this.dataDir, ENTRIES_FILE));
    this.#entries = entries;
  }

  /** Writes the request as received: request line, raw headers, empty line, body. Returns the file path. */
  async recordRequest(req: IncomingMessage, body: Buffer): Promise<string> {
    const n = ++this.#requestCount;
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const file = join(this.dataDir, 'requests', `${stamp}-${String(n).padStart(6, '0')}.http`);
    const lines = [`${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}`];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    await writeFile(file, Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
    return file;
  }
}
