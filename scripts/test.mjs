#!/usr/bin/env node
// npm test [-- <path filters>] — every *.test.ts beside the code, with Node's own test runner (tsx loads TypeScript).
// Store-backed tests run on PGlite always, and on PostgreSQL too: TEST_DATABASE_URL, or by default the local
// server at 127.0.0.1:5432 (database relais_test, created if missing). With RELAIS_TEST_REQUIRE_PG=1 (CI) an
// unreachable PostgreSQL fails the run instead of skipping its half.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const filters = process.argv.slice(2);
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const files = walk('src', [])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test file matched');
  process.exit(1);
}

const env = { ...process.env };
const url = env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/relais_test';
try {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 3000 });
  await admin.connect();
  const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (r.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  await admin.end();
  // Test processes use one database each (<name>_p<pid>, see src/store/testing.ts); drop those a killed run left.
  await dropProcessDatabases(url);
  env.TEST_DATABASE_URL = url;
  console.log(`store tests: PGlite and PostgreSQL (${url})`);
} catch (e) {
  if (env.RELAIS_TEST_REQUIRE_PG === '1') {
    console.error(`PostgreSQL is required (RELAIS_TEST_REQUIRE_PG=1) but ${url} is not reachable: ${e.message}`);
    process.exit(1);
  }
  delete env.TEST_DATABASE_URL;
  console.log(`store tests: PGlite only — PostgreSQL not reachable at ${url} (${e.message})`);
}

const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files];
const run = spawnSync(process.execPath, args, { stdio: 'inherit', env });
if (env.TEST_DATABASE_URL) await dropProcessDatabases(env.TEST_DATABASE_URL);
process.exit(run.status ?? 1);

/**
 * Drops the per-process test databases (<name>_p<pid>) whose process is gone: this run's, or a killed run's.
 * Databases of processes still alive (another test run on the same server) are left alone.
 */
async function dropProcessDatabases(url) {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  try {
    await admin.connect();
    const stale = await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${name}\\_p%`]);
    for (const row of stale.rows) {
      const pid = Number(/_p(\d+)$/.exec(row.datname)?.[1]);
      if (Number.isInteger(pid) && processAlive(pid)) continue;
      await admin.query(`DROP DATABASE IF EXISTS "${row.datname.replace(/"/g, '')}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}
