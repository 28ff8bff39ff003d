// The review screen (/review/) in real headless Chromium, on a phone-sized
// viewport: each person signs in with their users account and works through
// the REST API with the vendored SDK, so the API rules and the privacy hook
// apply as to any client. Checked on data: what the API holds afterwards,
// what the page and every API response contain. AMAN_SCREENSHOT=1 saves
// docs/img/review.png (a coordinator's phone, a report in review).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { launchChromium } from './lib/chromium.js';
import { repoRoot, startServer } from './lib/server.js';
import { apiBodies, cspErrors, listed, signIn as signInAt } from './lib/review-page.js';
import { createPeople, newReport, password } from './lib/people.js';

const xss = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>Shots at the bridge.';

let server;
let people;
let browser;
// signIn signs email in on the review screen (lib/review-page.js).
const signIn = (email) => signInAt(browser, server.url, email, password);

let org;
let anon; // a volunteer who files only anonymously: their name must appear nowhere
let member; // an aid worker of the organization the aid request is assigned to
const reports = {};
let aid;

async function createUser(root, key, fields) {
  const email = `${key}@aman.e2e`;
  const rec = await root.collection('users').create({
    name: fields.name, role: 'volunteer', region: 'batken', language: 'en',
    ...fields, email, password, passwordConfirm: password, verified: true,
  });
  return { id: rec.id, email, name: fields.name };
}

before(async () => {
  server = await startServer();
  people = await createPeople(server);
  const { root } = people;
  org = await root.collection('organizations').create({
    name: 'Batken Relief', kind: 'humanitarian', region: 'batken', country: 'kg', active: true,
  });
  [anon, member] = await Promise.all([
    createUser(root, 'anon', { name: 'Zarina Hiddenname' }),
    createUser(root, 'member', { name: 'Relief Member', role: 'aid_worker', organization: org.id }),
  ]);
  reports.plain = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id));
  reports.xss = await people.volunteerB.pb.collection('incident_reports').create(newReport(people.volunteerB.id, { description: xss }));
  // Filed as the anonymous volunteer by the superuser: one login fewer
  // (every test signs in; the *:auth limit is 10 per 30 s per address and
  // account, with at most 100 per 30 s per address across accounts).
  reports.anon = await root.collection('incident_reports').create(newReport(anon.id, {
    anonymous: true, description: 'Soldiers took the men of the street to the checkpoint.', category: 'detention',
  }));
  aid = await people.volunteerA.pb.collection('aid_requests').create({
    requester: people.volunteerA.id, region: 'batken', needs: ['food', 'water'], urgency: 'high',
    beneficiary_name: 'Family of five', contact_phone: '+996 555 123 456', people_count: 5,
  });
  // assigned while still open: the organization's aid worker acknowledges it
  await people.coordinator.pb.collection('aid_requests').update(aid.id, { assigned_org: org.id });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('review screen', () => {
  let coord; // one coordinator session for the coordinator's tests

  test('a coordinator takes a volunteer\'s report into review and verifies it', async () => {
    coord = await signIn(people.coordinator.email);
    const s = coord;
    const { page } = s;
    // The coordinator's account says Russian; the browser says English.
    assert.equal(await page.locator('#sign-out').textContent(), 'Выйти');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
    const queue = await listed(page);
    for (const r of [reports.plain, reports.xss, reports.anon]) assert.ok(queue.includes(r.id), `queue lists ${r.id}`);

    await page.click(`#records li[data-id="${reports.plain.id}"] a`);
    await page.click('#act-take');
    await page.locator('#act-verify').waitFor();
    let rec = await people.coordinator.pb.collection('incident_reports').getOne(reports.plain.id);
    assert.equal(rec.status, 'in_review');

    // Verifying without a note is refused by the workflow; the page shows
    // the API's own Russian messages, the field's included.
    let expected;
    try {
      await people.coordinator.pb.collection('incident_reports').update(reports.plain.id,
        { status: 'verified', verified_by: people.coordinator.id }, { query: { lang: 'ru' } });
      assert.fail('verifying without a note was accepted');
    } catch (err) {
      expected = err.response;
    }
    await page.click('#act-verify');
    await page.locator('#flash.error').waitFor();
    const flashText = await page.locator('#flash').textContent();
    assert.ok(flashText.includes(expected.message), `flash "${flashText}" has "${expected.message}"`);
    assert.ok(flashText.includes(expected.data.verification_note.message), 'and the note\'s field message');

    // a refusal whose reason the server put on top (a 413 or 429, a refused
    // delete, a batch) shows it once, not again under its field (a 400 here:
    // the page's error check lets the refusals tests provoke through)
    const reason = 'This report cannot be changed now: someone else is reviewing it.';
    let served = false;
    await page.route('**/api/collections/incident_reports/records/**', async (route) => {
      if (served || route.request().method() !== 'PATCH') return route.fallback();
      served = true;
      await route.fulfill({ status: 400, contentType: 'application/json',
        body: JSON.stringify({ status: 400, message: reason, data: { status: { code: 'workflow_test_reason', message: reason } } }) });
    });
    await page.click('#act-verify');
    await page.waitForFunction((r) => document.getElementById('flash')?.textContent.includes(r), reason);
    assert.equal((await page.locator('#flash').textContent()).split(reason).length - 1, 1, 'the reason once');
    assert.equal(await page.locator('#flash li').count(), 0, 'no field line repeating it');
    await page.unroute('**/api/collections/incident_reports/records/**');

    await page.fill('#in-verification_note', 'Two residents confirmed by phone; damage seen on photos.');
    await page.fill('#in-public_summary', 'Two shells hit near the school in Kok-Tash; no casualties.');
    await page.fill('#in-sources', 'Call with the village head, 26 Nov.');
    if (process.env.AMAN_SCREENSHOT) {
      await page.screenshot({ path: join(repoRoot, 'docs', 'img', 'review.png'), fullPage: true });
    }
    await page.click('#act-verify');
    await page.locator('#act-reopen').waitFor();
    assert.equal(await page.locator('#flash').getAttribute('class'), 'ok');

    rec = await people.coordinator.pb.collection('incident_reports').getOne(reports.plain.id);
    assert.equal(rec.status, 'verified');
    assert.equal(rec.verified_by, people.coordinator.id);
    assert.equal(rec.verification_note, 'Two residents confirmed by phone; damage seen on photos.');
    assert.equal(rec.public_summary, 'Two shells hit near the school in Kok-Tash; no casualties.');
    assert.match(rec.verified_at, /^\d{4}-\d\d-\d\d /);
    const pub = await people.root.collection('public_incidents').getOne(reports.plain.id);
    assert.equal(pub.public_summary, rec.public_summary);
    assert.deepEqual(cspErrors(s), []);
  });

  test('an anonymous report shows no reporter, in the page nor in any response', async () => {
    const s = coord;
    const { page } = s;
    await page.click('#tabs a[href="#/reports"]');
    await listed(page);
    await page.click(`#records li[data-id="${reports.anon.id}"] a`);
    await page.locator('#anonymous-note').waitFor();
    assert.equal(await page.locator('.f-description').textContent(), reports.anon.description);
    assert.equal(await page.locator('.f-reporter').count(), 0, 'no reporter row');
    const text = await page.locator('body').innerText();
    const html = await page.content();
    const bodies = await apiBodies(s);
    assert.ok(bodies.some((b) => b.url.includes(`/records/${reports.anon.id}`)), 'the report was fetched');
    for (const secret of [anon.id, anon.email, anon.name]) {
      assert.ok(!text.includes(secret) && !html.includes(secret), `page shows ${secret}`);
      const leak = bodies.find((b) => b.body.includes(secret));
      assert.equal(leak, undefined, `${leak?.url} sent ${secret}`);
    }
  });

  test('a coordinator is offered no review of a report they filed', async () => {
    const { page } = coord;
    const mine = await people.coordinator.pb.collection('incident_reports').create(newReport(people.coordinator.id));
    await page.click('#tabs a[href="#/reports"]');
    await listed(page);
    await page.click(`#records li[data-id="${mine.id}"] a`);
    await page.locator('#own-report-note').waitFor();
    assert.equal(await page.locator('#actions button').count(), 0, 'no move offered');
    // the API refuses it anyway
    const err = await people.coordinator.pb.collection('incident_reports').update(mine.id, { status: 'in_review' })
      .then(() => null, (e) => e);
    assert.equal(err?.response?.data?.status?.code, 'workflow_reviewer_is_reporter');
  });

  test('a description holding markup is shown as text', async () => {
    const s = coord;
    const { page } = s;
    await page.click('a.back');
    await listed(page);
    await page.click(`#records li[data-id="${reports.xss.id}"] a`);
    await page.locator('.f-description').waitFor();
    assert.equal(await page.locator('.f-description').textContent(), xss);
    assert.equal(await page.locator('.f-description *').count(), 0, 'no element inside the description');
    assert.equal(await page.locator('img[src="x"], main script').count(), 0, 'no injected element');
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.deepEqual(s.dialogs, []);
    assert.deepEqual(cspErrors(s), []);
    await s.context.close();
  });

  test('a volunteer reads a note and their own reports only', async () => {
    const s = await signIn(people.volunteerB.email);
    const { page } = s;
    const strings = await (await fetch(`${server.url}/api/aman/review/messages?lang=ky`)).json();
    assert.equal(await page.locator('#volunteer-note').textContent(), strings.messages.review_volunteer_note);
    await page.click('.chips [data-key="all"]');
    await page.locator('.chips [data-key="all"].on').waitFor();
    const ids = await listed(page);
    assert.deepEqual(ids, [reports.xss.id]);
    assert.equal(await page.locator('#actions').count(), 0);
    const bodies = await apiBodies(s);
    for (const other of [reports.plain.id, reports.anon.id]) {
      assert.equal(bodies.find((b) => b.body.includes(other))?.url, undefined, `a response carried ${other}`);
    }
    await s.context.close();
  });

  test('an editor writes an update on the verified report and publishes it', async () => {
    const s = await signIn(people.editor.email);
    const { page } = s;
    await page.click('#tabs a[href="#/updates"]');
    await page.click('#new');
    await page.fill('#in-title', 'Shelling near the school in Kok-Tash');
    await page.fill('#in-body', 'Two shells hit near the school on 26 November. Nobody was hurt.');
    await page.selectOption('#in-language', 'en');
    await page.check(`#in-related_incidents input[value="${reports.plain.id}"]`);
    assert.equal(await page.locator('#in-related_incidents input').count(), 1, 'only the verified report is offered');
    await page.click('#save');
    await page.locator('#act-publish').waitFor();
    const id = new URL(page.url()).hash.split('/')[2];
    await page.click('#act-publish');
    await page.locator('#act-retract').waitFor();
    const rec = await people.editor.pb.collection('updates').getOne(id);
    assert.equal(rec.status, 'published');
    assert.equal(rec.author, people.editor.id);
    assert.deepEqual(rec.related_incidents, [reports.plain.id]);
    assert.match(rec.published_at, /^\d{4}-/);
    const pub = await fetch(`${server.url}/api/collections/updates/records/${id}`);
    assert.equal((await pub.json()).title, 'Shelling near the school in Kok-Tash', 'the public reads it');

    // the report is reopened after publication: the update is marked, for
    // the editor (badge and note) and its readers, until it is verified again
    const incidents = people.coordinator.pb.collection('incident_reports');
    await incidents.update(reports.plain.id, { status: 'in_review' });
    assert.equal((await (await fetch(`${server.url}/api/collections/updates/records/${id}`)).json()).related_unverified, true,
      'readers are told');
    await page.reload();
    await page.locator('#related-unverified').waitFor();
    await page.click('#tabs a[href="#/updates"]');
    await page.locator(`#records li[data-id="${id}"] .s-related-unverified`).waitFor();
    await incidents.update(reports.plain.id, { status: 'verified', verified_by: people.coordinator.id });
    await page.reload();
    await page.locator(`#records li[data-id="${id}"]`).waitFor();
    assert.equal(await page.locator(`#records li[data-id="${id}"] .s-related-unverified`).count(), 0, 'verified again: no badge');
    assert.deepEqual(cspErrors(s), []);
    await s.context.close();
  });

  test('an aid worker of the assigned organization acknowledges the request and starts work on it', async () => {
    const s = await signIn(member.email);
    const { page } = s;
    assert.deepEqual(await listed(page), [aid.id]);
    await page.click(`#records li[data-id="${aid.id}"] a`);
    // open: the member acknowledges it, and nothing else
    await page.locator('#act-acknowledged').waitFor();
    assert.equal(await page.locator('#act-cancelled').count(), 0, 'cancelling stays the coordinators\'');
    assert.equal(await page.locator('#act-in_progress').count(), 0, 'nothing is in progress before it is acknowledged');
    await page.click('#act-acknowledged');
    await page.locator('#act-in_progress').waitFor();
    const acknowledged = await people.coordinator.pb.collection('aid_requests').getOne(aid.id);
    assert.equal(acknowledged.status, 'acknowledged');
    assert.match(acknowledged.acknowledged_at, /^\d{4}-/, 'the workflow stamps acknowledged_at');
    assert.equal(await page.locator('#act-open').count(), 0, 'reopening stays the coordinators\'');
    assert.equal(await page.locator('#act-cancelled').count(), 0, 'cancelling too');
    await page.fill('#in-notes', 'Food and water delivered tomorrow morning.');
    await page.click('#act-in_progress');
    // the page says in progress once the write is answered (#act-fulfilled
    // is offered from acknowledged too, so it does not tell)
    await page.locator('h1 .s-in_progress').waitFor();
    const rec = await people.coordinator.pb.collection('aid_requests').getOne(aid.id);
    assert.equal(rec.status, 'in_progress');
    assert.equal(rec.notes, 'Food and water delivered tomorrow morning.');
    assert.equal(await page.locator('.f-beneficiary_name').textContent(), 'Family of five', 'the member sees whom to help');
    await s.context.close();
  });
});
