import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { isRelaisError } from '../domain/index.js';
import { forEachDriver } from '../store/testing.js';
import { csvField } from './audit-trail.js';
import { MINUTE, fixedClock, securityOn } from './test-support.js';

async function collect(gen: AsyncGenerator<string>): Promise<string> {
  let out = '';
  for await (const chunk of gen) out += chunk;
  return out;
}

describe('audit CSV fields', () => {
  it('quotes separators, quotes and line breaks, and defuses spreadsheet formulas', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a;b'), '"a;b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
    assert.equal(csvField('+33 1 23'), "'+33 1 23");
    assert.equal(csvField('-1'), "'-1");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  });
});

forEachDriver('security audit trail', (ctx) => {
  it('refuses UPDATE, DELETE and TRUNCATE on the audit table, whoever asks', async () => {
    const security = securityOn(ctx, fixedClock());
    await security.audit({ actor: 'op1', operation: 'delivery_replay', target: '42', result: 'success' });
    const refused = (e: unknown) => isRelaisError(e) && e.details.sqlState === '42501' && /append-only/.test(e.message);
    await assert.rejects(sql`update audit set result = 'failure'`.execute(ctx.store.db), refused);
    await assert.rejects(ctx.store.db.updateTable('audit').set({ actor: 'someone else' }).execute(), refused);
    await assert.rejects(ctx.store.db.deleteFrom('audit').execute(), refused);
    await assert.rejects(sql`truncate audit`.execute(ctx.store.db), refused);
    const [entry] = await security.queryAudit();
    assert.deepEqual([entry?.actor, entry?.result], ['op1', 'success']);
  });

  it('records operator actions on flows through audit() with the clock time and the source IP', async () => {
    const clock = fixedClock(new Date('2026-04-01T12:00:00Z'));
    const security = securityOn(ctx, clock);
    await security.audit({ actor: 'op1', operation: 'delivery_hold', target: '17', result: 'success', detail: { reason: 'panne DMP', count: 3 }, sourceIp: '192.0.2.9' });
    const [e] = await security.queryAudit();
    assert.deepEqual({ ...e, id: undefined }, {
      id: undefined, at: clock.now(), actor: 'op1', operation: 'delivery_hold', target: '17', result: 'success',
      detail: '{"reason":"panne DMP","count":3}', sourceIp: '192.0.2.9',
    });
    await assert.rejects(security.audit({ actor: 'op1', operation: 'DROP TABLE', result: 'success' }), (x) => isRelaisError(x) && x.code === 'RLS_BUG');
  });

  it('filters by actor, operation, target, result and time, and pages newest first', async () => {
    const clock = fixedClock(new Date('2026-04-01T12:00:00Z'));
    const security = securityOn(ctx, clock);
    for (let i = 0; i < 7; i++) {
      await security.audit({ actor: i % 2 ? 'op1' : 'op2', operation: 'delivery_replay', target: String(i), result: i === 3 ? 'failure' : 'success' });
      clock.advance(MINUTE);
    }
    assert.equal((await security.queryAudit({ actor: 'op1' })).length, 3);
    assert.deepEqual((await security.queryAudit({ result: 'failure' })).map((e) => e.target), ['3']);
    assert.deepEqual((await security.queryAudit({ since: new Date('2026-04-01T12:05:00Z') })).map((e) => e.target), ['6', '5']);
    assert.deepEqual((await security.queryAudit({ until: new Date('2026-04-01T12:01:00Z') })).map((e) => e.target), ['0']);
    const page1 = await security.queryAudit({ limit: 3 });
    const page2 = await security.queryAudit({ limit: 3, beforeId: page1[2]!.id });
    assert.deepEqual([...page1, ...page2].map((e) => e.target), ['6', '5', '4', '3', '2', '1']);
  });

  it('exports CSV with one header line and JSON lines, oldest first, across pages, with control characters removed', async () => {
    const clock = fixedClock(new Date('2026-04-01T12:00:00Z'));
    const security = securityOn(ctx, clock);
    await security.audit({ actor: 'op1', operation: 'login_failed', target: '=cmd|x', result: 'failure', detail: 'line1\nline2;x' });
    for (let i = 0; i < 1005; i++) await security.audit({ actor: 'system', operation: 'session_expired', target: `u${i}`, result: 'success' });
    const csv = await collect(security.exportAudit('csv'));
    const lines = csv.split('\r\n');
    assert.equal(lines[0], 'id;at;actor;operation;target;result;detail;source_ip');
    assert.equal(lines.length, 1 + 1006 + 1, 'header, every entry, trailing empty string');
    assert.match(lines[1]!, /^\d+;2026-04-01T12:00:00\.000Z;op1;login_failed;'=cmd\|x;failure;"line1 line2;x";$/);
    assert.equal(lines[1006]?.split(';')[4], 'u1004');

    const jsonl = (await collect(security.exportAudit('jsonl', { operation: 'login_failed' }))).trimEnd().split('\n');
    assert.equal(jsonl.length, 1);
    assert.deepEqual({ ...JSON.parse(jsonl[0]!), id: undefined }, {
      id: undefined, at: '2026-04-01T12:00:00.000Z', actor: 'op1', operation: 'login_failed', target: '=cmd|x', result: 'failure',
      detail: 'line1 line2;x', source_ip: null,
    });
  });
});
