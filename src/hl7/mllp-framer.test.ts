import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MllpFramer, frameMllp, type FramerEvent } from './mllp-framer.js';

const frame = (s: string): Buffer => frameMllp(Buffer.from(s));
const payloads = (events: FramerEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'frame' ? [e.payload.toString()] : []));

describe('frameMllp', () => {
  it('wraps a payload in VT … FS CR', () => {
    assert.deepEqual([...frameMllp(Buffer.from('AB'))], [0x0b, 0x41, 0x42, 0x1c, 0x0d]);
  });

  it('encodes a string in the charset its MSH-18 declares', () => {
    const f = frameMllp('MSH|^~\\&|A|B|C|D|||ACK|1|P|2.5|||||FRA|8859/15\rNTE|€\r');
    assert.equal(f.subarray(1, -2).includes(Buffer.from([0x7c, 0xa4, 0x0d])), true);
    const u = frameMllp('MSH|^~\\&|A\rNTE|€\r');
    assert.equal(u.subarray(1, -2).includes(Buffer.from('€', 'utf8')), true);
  });
});

describe('MllpFramer', () => {
  it('returns every frame of a chunk that holds several', () => {
    const f = new MllpFramer({ maxFrameBytes: 100 });
    const ev = f.push(Buffer.concat([frame('one'), frame('two'), frame('three')]));
    assert.deepEqual(payloads(ev), ['one', 'two', 'three']);
    assert.equal(ev.length, 3);
    assert.equal(f.buffered, 0);
  });

  it('assembles a frame fed one byte at a time', () => {
    const f = new MllpFramer({ maxFrameBytes: 100 });
    const all = Buffer.concat([frame('MSH|first'), frame('MSH|second')]);
    const events: FramerEvent[] = [];
    for (const b of all) events.push(...f.push(Buffer.from([b])));
    assert.deepEqual(payloads(events), ['MSH|first', 'MSH|second']);
    assert.equal(events.length, 2);
  });

  it('ends a frame on FS even when the CR is missing or arrives later', () => {
    const f = new MllpFramer({ maxFrameBytes: 100 });
    assert.deepEqual(payloads(f.push(Buffer.from('\x0bone\x1c'))), ['one']);
    const ev = f.push(Buffer.from('\r\x0btwo\x1c\x0bthree\x1c\r'));
    assert.deepEqual(ev, [{ type: 'frame', payload: Buffer.from('two') }, { type: 'frame', payload: Buffer.from('three') }]);
  });

  it('ignores whitespace between frames and reports other bytes as junk', () => {
    const f = new MllpFramer({ maxFrameBytes: 100 });
    const ev = f.push(Buffer.concat([Buffer.from('\r\n '), frame('a'), Buffer.from('xyz'), frame('b'), Buffer.from('!!')]));
    assert.deepEqual(ev, [
      { type: 'frame', payload: Buffer.from('a') },
      { type: 'junk', bytes: 3 },
      { type: 'frame', payload: Buffer.from('b') },
      { type: 'junk', bytes: 2 },
    ]);
  });

  it('abandons an unfinished frame when a new VT starts, reporting it as junk', () => {
    const f = new MllpFramer({ maxFrameBytes: 100 });
    const ev = f.push(Buffer.from('\x0bhalf\x0bwhole\x1c\r'));
    assert.deepEqual(ev, [{ type: 'junk', bytes: 4 }, { type: 'frame', payload: Buffer.from('whole') }]);
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    const f = new MllpFramer({ maxFrameBytes: 5 });
    assert.deepEqual(payloads(f.push(frame('12345'))), ['12345']);
  });

  it('drops a 10× oversized frame with bounded memory, keeps its head, and carries on', () => {
    const max = 10_000;
    const f = new MllpFramer({ maxFrameBytes: max, headBytes: 64 });
    const big = Buffer.alloc(max * 10, 0x41);
    Buffer.from('MSH|^~\\&|').copy(big);
    const events: FramerEvent[] = [...f.push(Buffer.from([0x0b]))];
    let peak = 0;
    for (let i = 0; i < big.length; i += 997) {
      events.push(...f.push(big.subarray(i, i + 997)));
      peak = Math.max(peak, f.buffered);
    }
    assert.ok(peak <= max + 997, `buffered reached ${peak}`);
    assert.ok(f.buffered <= 64, `buffered ${f.buffered} after the switch to discarding`);
    assert.equal(events.length, 0);
    events.push(...f.push(Buffer.concat([Buffer.from([0x1c, 0x0d]), frame('next')])));
    assert.equal(events.length, 2);
    const over = events[0];
    assert.ok(over?.type === 'oversize');
    assert.equal(over.size, max * 10);
    assert.equal(over.head.length, 64);
    assert.ok(over.head.toString().startsWith('MSH|^~\\&|'));
    assert.deepEqual(events[1], { type: 'frame', payload: Buffer.from('next') });
    assert.equal(f.buffered, 0);
  });

  it('reports an oversized frame that arrives in a single chunk', () => {
    const f = new MllpFramer({ maxFrameBytes: 4 });
    assert.deepEqual(f.push(frame('123456')), [{ type: 'oversize', head: Buffer.from('1234'), size: 6 }]);
  });

  it('exposes the bytes buffered for the frame in progress', () => {
    const f = new MllpFramer({ maxFrameBytes: 100 });
    f.push(Buffer.from('\x0babc'));
    assert.equal(f.buffered, 3);
    f.push(Buffer.from('de'));
    assert.equal(f.buffered, 5);
    f.push(Buffer.from('\x1c\r'));
    assert.equal(f.buffered, 0);
  });
});
