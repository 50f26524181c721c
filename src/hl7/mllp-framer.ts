import { encodeEr7 } from './charset.js';
import { sniffHeader } from './header-sniff.js';

export const MLLP_START = 0x0b, MLLP_END = 0x1c, MLLP_CR = 0x0d;

export type FramerEvent =
  | { type: 'frame'; payload: Buffer }
  | { type: 'oversize'; head: Buffer; size: number }
  | { type: 'junk'; bytes: number };

export interface MllpFramerOptions {
  /** Largest payload accepted (bytes between VT and FS). */
  maxFrameBytes: number;
  /** Bytes kept from the start of an oversized frame, so its MSH can be read for an AE. Default 4096. */
  headBytes?: number;
}

const enum State { Outside, Inside, Discarding }

/** Whitespace between frames (a CR after FS, a keep-alive LF) is dropped without a junk report. */
function isGap(b: number): boolean {
  return b === 0x0d || b === 0x0a || b === 0x20 || b === 0x09;
}

/**
 * MLLP (HL7 v2 MLLP release 2 framing: VT payload FS CR) as a pure codec.
 * - Several frames in one chunk and one frame over many chunks; chunks are kept in a list and
 *   concatenated once when the frame ends (no quadratic copying).
 * - FS ends a frame whether or not CR follows: the CR, when it comes, is whitespace between frames.
 *   A peer that omits the CR is served instead of left waiting.
 * - Bytes outside a frame are counted and reported as one `junk` event per run; whitespace is ignored.
 *   A VT inside an unfinished frame abandons it (reported as junk) and starts a new frame: VT never
 *   occurs in HL7 text.
 * - A frame larger than maxFrameBytes is dropped as it streams; only its first headBytes are kept and
 *   one `oversize` event is reported when its FS arrives. Memory stays bounded by maxFrameBytes.
 */
export class MllpFramer {
  readonly #max: number;
  readonly #headBytes: number;
  #state = State.Outside;
  #chunks: Buffer[] = [];
  #length = 0;     // payload bytes of the current frame seen so far
  #head: Buffer | undefined;
  #junk = 0;

  constructor(opts: MllpFramerOptions) {
    if (!(opts.maxFrameBytes > 0)) throw new RangeError('maxFrameBytes must be positive');
    this.#max = opts.maxFrameBytes;
    this.#headBytes = Math.min(opts.headBytes ?? 4096, opts.maxFrameBytes);
  }

  /** Bytes held for the frame in progress (never more than maxFrameBytes). */
  get buffered(): number {
    return this.#state === State.Discarding ? (this.#head?.length ?? 0) : this.#length;
  }

  push(chunk: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#state === State.Outside) {
        const b = chunk[pos] as number;
        if (b === MLLP_START) {
          this.#flushJunk(events);
          this.#state = State.Inside;
          this.#chunks = [];
          this.#length = 0;
        } else if (!isGap(b)) {
          this.#junk++;
        }
        pos++;
        continue;
      }
      const fs = chunk.indexOf(MLLP_END, pos);
      const vt = chunk.indexOf(MLLP_START, pos);
      const restart = vt >= 0 && (fs < 0 || vt < fs);
      const end = restart ? vt : fs < 0 ? chunk.length : fs;
      this.#take(chunk.subarray(pos, end));
      if (restart) {
        // An unfinished frame followed by a new VT: the old bytes are junk.
        this.#junk += this.#length;
        this.#flushJunk(events);
        this.#chunks = [];
        this.#length = 0;
        this.#head = undefined;
        this.#state = State.Inside;
        pos = vt + 1;
      } else if (fs >= 0) {
        events.push(this.#finish());
        this.#state = State.Outside;
        pos = fs + 1;
      } else {
        pos = chunk.length;
      }
    }
    this.#flushJunk(events);
    return events;
  }

  #take(part: Buffer): void {
    if (part.length === 0) return;
    const total = this.#length + part.length;
    if (this.#state === State.Inside && total > this.#max) {
      // Keep the head only (copied, so the big chunks can be freed) and switch to discarding.
      this.#chunks.push(part);
      this.#head = Buffer.concat(this.#chunks, total).subarray(0, this.#headBytes);
      this.#head = Buffer.from(this.#head);
      this.#chunks = [];
      this.#state = State.Discarding;
    } else if (this.#state === State.Inside) {
      this.#chunks.push(part);
    }
    this.#length = total;
  }

  #finish(): FramerEvent {
    let ev: FramerEvent;
    if (this.#state === State.Discarding) {
      ev = { type: 'oversize', head: this.#head ?? Buffer.alloc(0), size: this.#length };
    } else {
      ev = { type: 'frame', payload: Buffer.concat(this.#chunks, this.#length) };
    }
    this.#chunks = [];
    this.#length = 0;
    this.#head = undefined;
    return ev;
  }

  #flushJunk(events: FramerEvent[]): void {
    if (this.#junk > 0) {
      events.push({ type: 'junk', bytes: this.#junk });
      this.#junk = 0;
    }
  }
}

/** VT payload FS CR. A string is encoded in the charset its own MSH-18 declares (UTF-8 when it declares
 *  none we know), so an ACK built as text goes out in the bytes its header promises. */
export function frameMllp(payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? encodeEr7(payload, sniffHeader(payload).charset ?? 'UTF-8') : payload;
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = MLLP_START;
  body.copy(out, 1);
  out[body.length + 1] = MLLP_END;
  out[body.length + 2] = MLLP_CR;
  return out;
}
