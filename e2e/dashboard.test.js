// The PocketBase dashboard (/_/) in real headless Chromium, as a new
// superuser meets it: every Aman collection in the sidebar, incident reports
// with their fields in review order, each field's help shown in the form.
// AMAN_SCREENSHOT=1 saves docs/img/dashboard.png for the README.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { launchChromium } from './lib/chromium.js';
import { repoRoot, startServer } from './lib/server.js';
import { createPeople } from './lib/people.js';


// The collections the data model requires, in no particular order.
const amanCollections = ['users', 'appeals', 'incident_reports', 'aid_requests', 'updates', 'fact_checks',
  'organizations', 'districts', 'public_incidents', 'sync_conflicts'];

// tourCollections returns the collections of the README's tour table (the
// first column of its rows, e.g. "| `appeals` | ...").
function tourCollections() {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const tour = readme.split(/^## /m).find((section) => /^A tour of the collections/.test(section));
  assert.ok(tour, 'README.md has no "A tour of the collections" section');
  return [...tour.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
}

// Fields of incident_reports that must read in this order (who, when,
// where, what, the review, the timestamps); other fields may sit between.
const reviewOrder = ['reporter', 'occurred_at', 'region', 'place', 'category', 'description', 'status',
  'verification_note', 'public_summary', 'created', 'updated'];

// outOfOrder returns the fields of wanted that do not follow each other in got.
function outOfOrder(got, wanted) {
  const at = wanted.map((f) => got.indexOf(f));
  return wanted.filter((f, i) => at[i] < 0 || (i > 0 && at[i] < at[i - 1]));
}

let server;
let people;
let browser;
let page;
const pageErrors = [];
let sidebar = [];
let reportFields = [];

before(async () => {
  server = await startServer();
  people = await createPeople(server);
  await people.volunteerA.pb.collection('incident_reports').create({
    reporter: people.volunteerA.id, occurred_at: '2026-11-26 14:05:00.000Z', region: 'batken',
    place: 'Kok-Tash, near the school', category: 'shelling', source_type: 'eyewitness', language: 'ky',
    description: 'Two explosions near the school around 14:00.', injured: 1,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('dashboard', () => {
  test('a superuser logs in and sees every Aman collection', async () => {
    await page.goto(`${server.url}/_/`);
    await page.fill('#login_identity', server.superuser.email);
    await page.fill('#login_pass', server.superuser.password);
    await page.getByRole('button', { name: 'Login' }).click();
    const items = page.locator('.collections-sidebar .nav-group-regular-collections .nav-item .txt');
    await items.first().waitFor();
    const names = (await items.allTextContents()).map((t) => t.trim());
    const missing = amanCollections.filter((c) => !names.includes(c));
    assert.deepEqual(missing, [], `sidebar lists ${names.join(', ')}`);
    sidebar = names;
  });

  test('the README\'s tour matches the sidebar', () => {
    const tour = tourCollections();
    assert.deepEqual(tour.filter((c) => !sidebar.includes(c)), [], 'in the tour, not in the dashboard');
    assert.deepEqual(sidebar.filter((c) => !tour.includes(c)), [], 'in the dashboard, not in the tour');
  });

  test('incident reports list their fields in review order', async () => {
    await page.locator('.collections-sidebar .nav-item', { hasText: 'incident_reports' }).click();
    await page.locator('tbody tr').first().waitFor();
    const columns = await page.locator('thead th[class*="col-field-name-"]').evaluateAll(
      (ths) => ths.map((th) => th.className.match(/col-field-name-(\S+)/)[1]));
    const schema = await people.root.collections.getOne('incident_reports');
    assert.deepEqual(columns, schema.fields.map((f) => f.name), 'every field is a column, in the schema\'s order');
    assert.deepEqual(outOfOrder(columns, reviewOrder), [], `columns: ${columns.join(', ')}`);
    reportFields = columns;
  });

  test('the report form shows each field with its help', async () => {
    await page.locator('tbody tr').first().click();
    await page.getByText('The volunteer who reported. Hidden from others when anonymous.').waitFor();
    const fields = await page.locator('.record-field-input').evaluateAll(
      (els) => els.map((el) => el.querySelector('[name]')?.getAttribute('name')));
    assert.deepEqual(fields, reportFields.filter((f) => !['created', 'updated'].includes(f)),
      'the form shows every editable field in the list\'s order');
    for (const help of ['When it happened (UTC), as precisely as known.', 'Village, street or landmark.',
      'What the public may read once verified. No names, no exact places.']) {
      assert.equal(await page.getByText(help).count(), 1, `help "${help}" shown once`);
    }
    if (process.env.AMAN_SCREENSHOT) {
      mkdirSync(join(repoRoot, 'docs', 'img'), { recursive: true });
      await page.screenshot({ path: join(repoRoot, 'docs', 'img', 'dashboard.png') });
    }
  });

  test('the dashboard raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
