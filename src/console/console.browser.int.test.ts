/**
 * The console in a real browser (playwright-core driving Debian's chromium): login with password and TOTP,
 * the inactivity lock, a document search, replaying a dead delivery, the statistics CSV export, and login
 * through an OpenID provider (oidc-provider on the test PKI) back to a console whose session cookie is
 * SameSite=Strict.
 */
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { segurDocumentTypes } from '../cda/index.js';
import { totpCode } from '../security/index.js';
import { STATISTICS_CSV_COLUMNS } from '../stats/index.js';
import { forEachDriver } from '../store/testing.js';
import { createOidcLogin, oidcSettings } from './oidc-login.js';
import { consoleHarness, PASSWORDS, seedFlows } from './testing.js';
import { startTestIdp } from './testing/oidc-idp.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)`;

let context: BrowserContext | undefined;
let profile = '';

before(async () => {
  if (skip) return;
  profile = mkdtempSync(join(tmpdir(), 'relais-browser-'));
  // A fresh profile directory per run: no cookie or cache from elsewhere.
  context = await chromium.launchPersistentContext(profile, {
    // The test identity provider's certificate comes from the throwaway test PKI, which this profile does not trust.
    executablePath: CHROMIUM, acceptDownloads: true, locale: 'fr-FR', ignoreHTTPSErrors: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

forEachDriver('console in a browser', (ctx) => {
  it('logs in with TOTP, locks after inactivity, finds a document, replays a dead delivery, exports statistics', { skip }, async () => {
    const h = await consoleHarness(ctx.store);
    const seeded = await seedFlows(ctx.store, { ipp: 'IPP-4242', title: 'Lettre de liaison de sortie' });
    await h.app.close();
    // A listening console on the same store and clock, with the Ségur types for the statistics.
    const { buildConsole } = await import('./server.js');
    const { silentLogger } = await import('../engine/index.js');
    const app = await buildConsole({ relais: { store: ctx.store }, security: h.security, log: silentLogger, now: h.clock.now, version: '9.9.9-test', documentTypes: segurDocumentTypes });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const page: Page = await context!.newPage();
    const login = async () => {
      h.clock.advance(30_000);
      await page.goto(`${base}/connexion`);
      await page.fill('input[name=login]', 'admin');
      await page.fill('input[name=password]', PASSWORDS.admin);
      await Promise.all([page.waitForURL(`${base}/connexion/code`), page.click('button[type=submit]')]);
      await page.fill('input[name=totp]', totpCode(h.adminSecret, h.clock.now()));
      await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    };
    try {
      // A wrong code keeps the administrator on the code page, with the reason.
      await page.goto(`${base}/connexion`);
      await page.fill('input[name=login]', 'admin');
      await page.fill('input[name=password]', PASSWORDS.admin);
      await Promise.all([page.waitForURL(`${base}/connexion/code`), page.click('button[type=submit]')]);
      await page.fill('input[name=totp]', '000000' === totpCode(h.adminSecret, h.clock.now()) ? '111111' : '000000');
      await page.click('button[type=submit]');
      assert.match(await page.textContent('.flash') ?? '', /code à usage unique incorrect/i);
      assert.equal(await page.locator('input[name=password]').count(), 0, 'the password is not asked again');

      await login();
      assert.equal(await page.textContent('h1'), 'Tableau de bord');
      assert.match(await page.textContent('footer') ?? '', /version 9\.9\.9-test/);
      const cookie = (await context!.cookies()).find((c) => c.name === 'relais_session');
      assert.equal(cookie?.httpOnly, true);
      assert.equal(cookie?.sameSite, 'Strict');

      // Inactivity lock: past the idle timeout, the next page load lands on the login with a message.
      h.clock.advance(16 * 60_000);
      await page.reload();
      assert.equal(new URL(page.url()).pathname, '/connexion');
      assert.match(await page.textContent('.flash') ?? '', /inactivité/);

      await login();
      await page.click('nav >> text=Documents');
      await page.fill('input[name=ipp]', 'IPP-4242');
      await page.click('form.search button[type=submit]');
      const link = page.locator('table a', { hasText: 'Lettre de liaison de sortie' });
      assert.equal(await link.count(), 1);
      await link.click();
      assert.match(await page.textContent('pre.hl7') ?? '', /PID\|1\|\|IPP-4242/);

      // Replay the dead DMP delivery from the document page.
      await page.click(`form[action="/acheminements/${seeded.deliveries.dead}/replay"] button`);
      assert.match(await page.textContent('.flash') ?? '', /pris en compte/);
      assert.equal(new URL(page.url()).pathname, `/documents/${seeded.documentRowId}`);
      const row = await ctx.store.db.selectFrom('delivery').select('state').where('id', '=', seeded.deliveries.dead).executeTakeFirstOrThrow();
      assert.equal(row.state, 'pending');
      const [entry] = await h.security.queryAudit({ operation: 'delivery_replay' });
      assert.equal(entry?.actor, 'admin');
      assert.equal(entry?.result, 'success');

      // The replayed delivery reaches the DMP (as a worker would record it): the year's CSV counts it.
      await ctx.store.db.updateTable('delivery').set({ state: 'done', updated_at: new Date() }).where('id', '=', seeded.deliveries.dead).execute();
      await page.click('nav >> text=Statistiques');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Exporter en CSV')]);
      const csv = readFileSync((await download.path())!, 'utf8');
      const lines = csv.trimEnd().split('\r\n');
      assert.equal(lines[0], STATISTICS_CSV_COLUMNS.join(';'));
      const month = new Date().toISOString().slice(0, 7);
      const counted = lines.find((l) => l.startsWith(`${month};999999999;11490-0;`));
      assert.ok(counted, csv);
      assert.equal(counted.split(';')[STATISTICS_CSV_COLUMNS.indexOf('dmp_flux_succes')], '1');
    } finally {
      await page.close();
      await app.close();
    }
  });
  it('logs in through the identity provider and lands on the dashboard with its Strict session cookie', { skip }, async () => {
    const h = await consoleHarness(ctx.store);
    await h.app.close();
    await h.security.accounts.create({ login: 'dr.navigateur', role: 'operator', oidcId: '899700218896' }, { actor: 'admin' });
    // The console's address must be known before the provider registers it: take a free port first.
    const port = await new Promise<number>((resolvePort) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const a = probe.address();
        probe.close(() => resolvePort(typeof a === 'object' && a ? a.port : 0));
      });
    });
    const base = `http://127.0.0.1:${port}`;
    const idp = await startTestIdp({ redirectUris: [`${base}/connexion/oidc/retour`], acrValues: ['eidas1'] });
    const dir = mkdtempSync(join(tmpdir(), 'relais-oidc-browser-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'ca.pem'), idp.caPem);
    idp.nextLogin({ sub: 'psc-42', preferred_username: '899700218896', given_name: 'Jeanne', family_name: 'Navigateur' }, { acr: 'eidas1' });
    const settings = oidcSettings({
      issuer: idp.issuer, label: 'Pro Santé Connect', clientId: idp.clientId, clientSecret: idp.clientSecret, clientAuth: 'client_secret_basic',
      clientCertFile: '', clientKeyFile: '', caFile: join(dir, 'ca.pem'), scopes: ['openid', 'profile'], acrValues: ['eidas1'],
      identityClaim: 'preferred_username', userinfo: false,
    }, base)!;
    const { buildConsole } = await import('./server.js');
    const { silentLogger } = await import('../engine/index.js');
    const app = await buildConsole({ relais: { store: ctx.store }, security: h.security, log: silentLogger, now: h.clock.now, oidc: createOidcLogin(settings) });
    await app.listen({ host: '127.0.0.1', port });
    const page: Page = await context!.newPage();
    try {
      await page.goto(`${base}/connexion`);
      await Promise.all([page.waitForURL(`${base}/`), page.click('text=Se connecter avec Pro Santé Connect')]);
      assert.equal(await page.textContent('h1'), 'Tableau de bord');
      assert.match(await page.textContent('.who') ?? '', /dr\.navigateur/);
      const cookie = (await context!.cookies(base)).find((c) => c.name === 'relais_session');
      assert.equal(cookie?.sameSite, 'Strict');
      assert.equal(idp.authorizations.at(-1)?.get('code_challenge_method'), 'S256');
    } finally {
      await page.close();
      await app.close();
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
