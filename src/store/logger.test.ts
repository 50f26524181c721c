import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';

describe('Logger', () => {
  it('accepts a pino logger as it is', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
    const log: Logger = pino({ level: 'debug' }, sink);
    log.child({ component: 'store' }).warn({ code: 'RLS_STORE_UNAVAILABLE' }, 'idle PostgreSQL connection lost');
    return new Promise<void>((resolve) => setImmediate(() => {
      const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
      assert.equal(entry.component, 'store');
      assert.equal(entry.code, 'RLS_STORE_UNAVAILABLE');
      resolve();
    }));
  });

  it('offers a silent logger whose children are silent too', () => {
    assert.equal(silentLogger.child({ a: 1 }), silentLogger);
    silentLogger.error({}, 'nothing');
  });
});
