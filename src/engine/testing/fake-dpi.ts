/**
 * Test support: a DPI's MLLP listener that records every message Relais sends it (ZAM business acks) and
 * answers with the next code of `answers` (AA once they run out).
 */
import assert from 'node:assert/strict';
import { MllpServer, buildAck, parseEr7, type AckError, type Hl7Message } from '../../hl7/index.js';

/** What the DPI answers to one message: an ACK code, and for AE the volet B application error (90x). */
export type DpiAnswer = 'AA' | 'AE' | 'AR' | { code: 'AE'; appError: string };

export class FakeDpi {
  readonly received: Hl7Message[] = [];
  readonly answers: DpiAnswer[] = [];
  /** Chooses the answer from the message; wins over `answers`. */
  decide: ((m: Hl7Message) => DpiAnswer) | undefined;
  readonly server: MllpServer;
  #waiters: (() => void)[] = [];
  port = 0;

  constructor() {
    this.server = new MllpServer({
      port: 0, host: '127.0.0.1', maxFrameBytes: 1024 * 1024,
      onMessage: async (payload) => {
        const m = parseEr7(payload);
        this.received.push(m);
        for (const w of this.#waiters.splice(0)) w();
        const answer = this.decide?.(m) ?? this.answers.shift() ?? 'AA';
        const code = typeof answer === 'string' ? answer : answer.code;
        // Volet B §3.4: ERR-3 207 and ERR-5 <90x>^<label>^applicationErrorCode.
        const errors: AckError[] = typeof answer === 'string' ? [] : [{
          location: 'PID^1^3', code: '207', text: 'Application error', severity: 'E',
          appError: { code: answer.appError, text: 'Identifiant de patient inconnu', codeSystem: 'applicationErrorCode' },
        }];
        return buildAck(m, { code, errors, controlId: `DPI${this.received.length}`, timestamp: new Date() });
      },
    });
  }

  async listen(): Promise<void> {
    this.port = (await this.server.listen()).port;
  }

  /** The messages of one event (e.g. 'Z02'), in arrival order. */
  ofEvent(event: string): Hl7Message[] {
    return this.received.filter((m) => m.messageType.event === event);
  }

  /** Resolves once `n` messages (of `event` when given) have arrived; fails after a bound rather than hang. */
  async waitFor(n: number, timeoutMs = 15_000, event?: string): Promise<void> {
    const count = (): number => (event ? this.ofEvent(event).length : this.received.length);
    const deadline = Date.now() + timeoutMs;
    while (count() < n) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`the DPI received ${count()} ${event ?? ''} message(s), expected ${n}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  close(): Promise<void> {
    return this.server.close({ timeoutMs: 1000 });
  }
}
