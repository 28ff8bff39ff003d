// The review screen (/review/) following the signed-in person's own access
// while it is open, in headless Chromium (phone-sized; its own server, so
// its logins count against no other file's). PocketBase sends no event of
// the records that leave a person's view when an administrator changes
// their role or organization, or retires their organization: the screen
// subscribes to its user and organization (review/static/live.js, follow)
// and, on a change of access, reads the user afresh, shows the sections of
// the new role and the lists fetched again, a record page refused now as
// no longer available, and a note; a deleted account goes back to the
// sign-in with a note; a change that grants nothing (the name) redraws
// the header only. An open history drops a name its reader may no longer
// read, and never asks again for the users an editor cannot read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchChromium } from './lib/chromium.js';
import { startServer } from './lib/server.js';
import { apiBodies, cspErrors, go, listed, signIn as signInAt } from './lib/review-page.js';
import { createPeople, newReport, password } from './lib/people.js';

let server;
let people;
let browser;
let strings; // the screen's strings in English, the test accounts' language
const signIn = (email) => signInAt(browser, server.url, email, password);

let org; // the aid workers' organization
let n = 0;
// user creates an account of role (English, Batken) and returns its id,
// email and name.
async function user(name, role, extra = {}) {
  n += 1;
  const email = `access${n}@aman.e2e`;
  const r = await people.root.collection('users').create({
    role, region: 'batken', language: 'en', name, ...extra,
    email, password, passwordConfirm: password, verified: true,
  });
  return { id: r.id, email, name };
}

const request = (extra = {}) => people.volunteerA.pb.collection('aid_requests').create({
  requester: people.volunteerA.id, region: 'batken', needs: ['water'], urgency: 'high',
  beneficiary_name: 'Family by the old mill', contact_phone: '+996 555 000 222', people_count: 3, ...extra,
});

// noted waits for the access note and checks its text.
async function noted(page) {
  await page.locator('#access-changed').waitFor({ timeout: 10000 });
  assert.equal((await page.locator('#access-changed').textContent()).trim(), strings.review_access_changed);
}

before(async () => {
  server = await startServer();
  people = await createPeople(server);
  org = await people.root.collection('organizations').create({
    name: 'Mill Relief', kind: 'humanitarian', region: 'batken', country: 'kg', active: true,
  });
  strings = (await people.root.send('/api/aman/review/messages', { query: { lang: 'en' } })).messages;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('review screen, the signed-in person\'s access', () => {
  test('a coordinator made a volunteer while their queue is open loses the queue, and is told', async () => {
    const report = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id, {
      description: 'Seen by the coordinator before the change.', place: 'Kulundu, the upper canal',
    }));
    const c = await user('Demoted Coordinator', 'coordinator');
    const s = await signIn(c.email);
    const { page } = s;
    await go(page, '#/reports', '.chips [data-key="queue"].on');
    assert.ok((await listed(page)).includes(report.id));
    await page.evaluate(() => { window.__kept = 1; });
    await people.root.collection('users').update(c.id, { role: 'volunteer' });
    await noted(page);
    await page.locator('#volunteer-note').waitFor();
    assert.equal(await page.evaluate(() => window.__kept), 1, 'the page was not reloaded');
    // the lists a volunteer reads: their own, none; no tab of the conflicts
    await page.locator('#records li').first().waitFor();
    assert.deepEqual(await listed(page), []);
    assert.equal(await page.locator('#tabs a[href="#/conflicts"]').count(), 0, 'the conflicts tab stays');
    const html = await page.content();
    for (const v of [report.id, report.place, report.description]) assert.ok(!html.includes(v), `still in the page: ${v}`);
    // a page opened next says nothing more of it
    await go(page, '#/aid', '#records li');
    assert.equal(await page.locator('#access-changed').count(), 0, 'the note outlives the view it was about');
    assert.deepEqual(cspErrors(s), []);
    await s.context.close();
  });

  test('an aid worker taken out of their organization while a request is open: the page says it is gone, the list is empty', async () => {
    const w = await user('Moved Worker', 'aid_worker', { organization: org.id });
    const aid = await request();
    await people.coordinator.pb.collection('aid_requests').update(aid.id, { assigned_org: org.id });
    const s = await signIn(w.email);
    const { page } = s;
    await go(page, `#/aid/${aid.id}`, 'a.back');
    await page.getByText('Family by the old mill').first().waitFor();
    await people.root.collection('users').update(w.id, { organization: '' });
    await noted(page);
    await page.locator('#gone').waitFor({ timeout: 10000 });
    assert.equal((await page.locator('#gone').textContent()).trim(), strings.review_gone);
    assert.equal(await page.getByText('Family by the old mill').count(), 0, 'the page still shows the request');
    assert.equal(await page.locator('a.back').count(), 1, 'no way back to the list');
    await page.click('a.back');
    await page.locator('#records li').first().waitFor();
    assert.deepEqual(await listed(page), []);
    assert.ok(!(await page.content()).includes(aid.id), 'the request is still in the page');
    assert.deepEqual(cspErrors(s), []);
    await s.context.close();
  });

  test('an aid worker whose organization retires loses its closed requests from the list, is told, and is shown what one with no organization is', async () => {
    const retiring = await people.root.collection('organizations').create({
      name: 'Retiring Relief', kind: 'humanitarian', region: 'batken', country: 'kg', active: true,
    });
    const w = await user('Retiring Worker', 'aid_worker', { organization: retiring.id });
    const aid = await request();
    const coordAid = people.coordinator.pb.collection('aid_requests');
    await coordAid.update(aid.id, { assigned_org: retiring.id, status: 'acknowledged' });
    await coordAid.update(aid.id, { status: 'in_progress' });
    await coordAid.update(aid.id, { status: 'fulfilled' }); // not released when it retires: no event of it
    const s = await signIn(w.email);
    const { page } = s;
    await go(page, '#/aid', '.chips .on');
    await page.click('.chips [data-key="all"]');
    await page.locator(`#records li[data-id="${aid.id}"]`).waitFor();
    await page.evaluate(() => { window.__kept = 1; });
    await people.root.collection('organizations').update(retiring.id, { active: false });
    await noted(page);
    await page.locator(`#records li[data-id="${aid.id}"]`).waitFor({ state: 'detached', timeout: 10000 });
    assert.equal(await page.evaluate(() => window.__kept), 1, 'the page was not reloaded');
    // shown what an aid worker with no organization is: a volunteer's sections, their note
    await page.locator('#volunteer-note').waitFor();
    assert.equal((await page.locator('#volunteer-note').textContent()).trim(), strings.review_volunteer_note);
    assert.deepEqual(await page.locator('#tabs a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
      ['#/reports', '#/aid'], 'the sections of an aid worker with no organization');
    assert.equal(await page.getByText(strings.review_assigned_to_you).count(), 0, 'still headed as their organization\'s');
    // and so at the next sign-in
    await s.context.close();
    const again = await signIn(w.email);
    await go(again.page, '#/aid', '#records li');
    await again.page.locator('#volunteer-note').waitFor();
    assert.deepEqual(await again.page.locator('#tabs a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
      ['#/reports', '#/aid']);
    assert.equal(await again.page.getByText(strings.review_assigned_to_you).count(), 0);
    assert.deepEqual(cspErrors(s), []);
    assert.deepEqual(cspErrors(again), []);
    await again.context.close();
  });

  test('an account deleted while signed in goes back to the sign-in, with a note', async () => {
    const e = await user('Passing Editor', 'editor');
    const s = await signIn(e.email);
    const { page } = s;
    await go(page, '#/updates', '#records li');
    await people.root.collection('users').delete(e.id);
    await page.locator('#sign-in').waitFor({ timeout: 10000 });
    assert.equal((await page.locator('#flash').textContent()).trim(), strings.review_account_gone);
    assert.equal(await page.locator('#sign-out').count(), 0);
    assert.equal(await page.evaluate(() => localStorage.getItem('pocketbase_auth')), null, 'the token is kept');
    await s.context.close();
  });

  test('a change that grants nothing (the name) drops nothing and says nothing', async () => {
    const report = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id));
    const c = await user('Renamed Coordinator', 'coordinator');
    const s = await signIn(c.email);
    const { page } = s;
    await go(page, '#/reports', '.chips [data-key="queue"].on');
    assert.ok((await listed(page)).includes(report.id));
    await page.evaluate(() => { window.__kept = 1; });
    const fetched = async () => (await apiBodies(s)).filter((b) => b.url.includes('/collections/incident_reports/records')).length;
    // the list's catch-up once subscribed comes half a second after it: counted once settled
    let lists = -1;
    for (let now = await fetched(); now !== lists; now = await fetched()) {
      lists = now;
      await new Promise((ok) => { setTimeout(ok, 1500); });
    }
    await people.root.collection('users').update(c.id, { name: 'Renamed Again', verified: false });
    await page.locator('#account .who', { hasText: 'Renamed Again' }).waitFor({ state: 'attached', timeout: 10000 });
    assert.equal(await page.locator('#access-changed').count(), 0, 'said the access changed');
    assert.equal(await page.evaluate(() => window.__kept), 1, 'the page was reloaded');
    assert.ok((await listed(page)).includes(report.id), 'the report left the queue');
    assert.equal(await fetched(), lists, 'the list was fetched again');
    assert.deepEqual(cspErrors(s), []);
    await s.context.close();
  });

  test('an open history drops the name of a user deleted meanwhile', async () => {
    const passing = await user('Passing Coordinator', 'coordinator');
    const report = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id));
    const pb = await people.root.collection('users').impersonate(passing.id, 600);
    await pb.collection('incident_reports').update(report.id, { status: 'in_review' });
    const s = await signIn(people.coordinator.email);
    const { page } = s;
    await go(page, `#/reports/${report.id}`, '#history');
    await page.click('#history summary');
    const taken = page.locator('#history-list > li[data-rev="2"] .actor');
    await taken.waitFor();
    assert.equal(await taken.textContent(), 'Passing Coordinator');
    // typed: the page is kept, the open history refreshed in place
    await page.fill('#in-verification_note', 'Typed while the history is open.');
    await people.root.collection('users').delete(passing.id);
    await people.root.collection('incident_reports').update(report.id, { sources: 'Radio Azattyk' });
    await page.locator('#changed').waitFor({ timeout: 10000 });
    await page.locator('#history-list > li[data-rev="3"]').waitFor({ timeout: 10000 });
    await page.waitForFunction((id) => document.querySelector('#history-list > li[data-rev="2"] .actor')?.textContent === id,
      passing.id, { timeout: 5000 }).catch(() => {});
    assert.equal(await taken.textContent(), passing.id, 'the deleted user is still named');
    assert.equal(await page.inputValue('#in-verification_note'), 'Typed while the history is open.');
    await s.context.close();
  });

  test('an editor\'s open history does not ask again for the users they cannot read', async () => {
    const other = await user('Other Editor', 'editor');
    const update = await people.editor.pb.collection('updates').create({
      title: 'Water cut in Batken', body: 'The water was cut on Monday.', language: 'en', region: 'batken',
      status: 'draft', author: people.editor.id,
    });
    const otherPb = await people.root.collection('users').impersonate(other.id, 600);
    await otherPb.collection('updates').update(update.id, { body: 'The water was cut on Monday morning.' });
    const s = await signIn(people.editor.email);
    const { page } = s;
    await go(page, `#/updates/${update.id}`, '#history');
    await page.click('#history summary');
    const edited = page.locator('#history-list > li[data-rev="2"] .actor');
    await edited.waitFor();
    assert.equal(await edited.textContent(), other.id, 'a user an editor cannot read reads as the id');
    const asked = async () => (await apiBodies(s)).filter((b) => b.url.includes('/collections/users/records')).length;
    assert.equal(await asked(), 1, 'the other editor asked for once');
    await page.selectOption('#in-translate-language', 'ru'); // keeps the page: its history refreshes in place
    for (const [rev, body] of [[3, 'The water was cut on Monday, 06:00.'], [4, 'The water was cut on Monday, 06:30.']]) {
      await otherPb.collection('updates').update(update.id, { body });
      await page.locator(`#history-list > li[data-rev="${rev}"]`).waitFor({ timeout: 10000 });
    }
    assert.equal(await asked(), 1, 'asked again for a user the editor can never read');
    assert.equal(await page.locator('#history-list > li[data-rev="4"] .actor').textContent(), other.id);
    await s.context.close();
  });
});
