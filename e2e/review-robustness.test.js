// The review screen (/review/) under the conditions of the field, in
// headless Chromium (phone-sized; its own server, so its logins count
// against no other file's): a slow connection (a second tap on a slow
// button must not write twice), a shared computer (the next person gets
// nothing of the previous one's session: token, file token, storage), a
// session the server no longer honours (back to sign-in, not an empty
// queue: on a page's fetch, when the realtime connection comes back, and
// with a token kept from an earlier visit), and an aid worker of an
// organization offered only what the rules let them do. Each test makes
// the records and people it needs (none depends on another's, nor on their
// order), and changes no password but its own people's. Logins: 10 per
// 30 s per address and account (100 across accounts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { launchChromium } from './lib/chromium.js';
import { repoRoot, startServer } from './lib/server.js';
import { apiBodies, go, listed, signIn as signInAt } from './lib/review-page.js';
import { createPeople, newId, newReport, password } from './lib/people.js';
import { SyncProtocol } from './lib/sync-protocol.js';


let server;
let people;
let browser;
const signIn = (email) => signInAt(browser, server.url, email, password);

// slow delays every write (POST, PATCH) of page by ms, as a 2G link does.
async function slow(page, ms) {
  await page.route('**/api/collections/**', async (route) => {
    if (['POST', 'PATCH'].includes(route.request().method())) await new Promise((r) => setTimeout(r, ms));
    await route.continue();
  });
}

// writes lists the page's writes to collection as they are sent.
function writes(page, collection) {
  const seen = [];
  page.on('request', (req) => {
    if (['POST', 'PATCH'].includes(req.method()) && req.url().includes(`/api/collections/${collection}/records`)) {
      seen.push(`${req.method()} ${new URL(req.url()).pathname}`);
    }
  });
  return seen;
}

// tokenUser is the id of the user a token (auth or file) was issued to.
// photoSrc opens report id from every report's list and returns its first
// photo's address (with the file token it was fetched with).
async function photoSrc(page, id) {
  await page.click('#tabs a[href="#/reports"]');
  await page.click('.chips [data-key="all"]');
  await page.locator('.chips [data-key="all"].on').waitFor();
  await listed(page);
  await page.click(`#records li[data-id="${id}"] a`);
  await page.locator('.f-photos img').waitFor();
  return page.locator('.f-photos img').getAttribute('src');
}

function tokenUser(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).id;
}

before(async () => {
  server = await startServer();
  people = await createPeople(server);
  browser = await launchChromium();
});

// verify takes report id through review to verified, as a coordinator does.
async function verify(id) {
  const coord = people.coordinator.pb.collection('incident_reports');
  await coord.update(id, { status: 'in_review' });
  await coord.update(id, { status: 'verified', verified_by: people.coordinator.id, verification_note: 'Seen.' });
}

// newPerson creates a user of role (email key@aman.e2e) of this test's own:
// a test that changes their password takes nobody from another test.
async function newPerson(key, role, extra = {}) {
  const email = `${key}@aman.e2e`;
  const user = await people.root.collection('users').create({
    name: key, role, region: 'sughd', language: 'en', email, password, passwordConfirm: password, verified: true, ...extra,
  });
  return { ...user, email };
}

// newPassword ends every session of user (a lost laptop: an administrator
// changes the password, which invalidates every token of the account).
function newPassword(user) {
  return people.root.collection('users').update(user.id, { password: 'another-pass-123', passwordConfirm: 'another-pass-123' });
}

// sessionEnded asserts that page shows the sign-in, says the session ended
// (note), and keeps nothing of it: no list, no page, no token.
async function sessionEnded(page, note = 'Your session has ended: sign in again.') {
  await page.locator('#sign-in').waitFor({ timeout: 15000 });
  assert.equal(await page.locator('#records, #record-fields').count(), 0, 'the page shows a list or a record');
  assert.equal(await page.evaluate(() => localStorage.getItem('pocketbase_auth')), null, 'the token is kept');
  assert.equal(await page.locator('#flash').textContent(), note);
}

// followed waits until session s's list of collection is followed live
// and settled: the subscription confirmed, and the list fetched again once
// (the catch-up of a new subscription), so that no request is under way.
async function followed(s, collection) {
  const answered = async (path, status) => (await apiBodies(s))
    .filter((b) => new URL(b.url).pathname === path && b.status === status).length;
  while (await answered('/api/realtime', 204) < 1 || await answered(`/api/collections/${collection}/records`, 200) < 2) {
    await s.page.waitForTimeout(100);
  }
}

// refusedAnswers are the API answers the session received that refused its
// token (401 sync_invalid_token): their paths.
async function refusedAnswers(s) {
  return (await apiBodies(s)).filter((b) => b.status === 401 && b.body.includes('"code":"sync_invalid_token"'))
    .map((b) => new URL(b.url).pathname);
}

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('review screen, robustness', () => {
  test('a second tap on a slow Save creates one draft, a slow Take one update', async () => {
    // a draft update on two reports verified then: one reopened since (editors
    // no longer read it), one still verified but older than the hundred
    // verified after it, which the edit form lists
    const coord = people.coordinator.pb.collection('incident_reports');
    const [a, b] = await Promise.all([1, 2].map(() => people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id))));
    await verify(a.id);
    await verify(b.id);
    const [older, reopened] = [a.id, b.id];
    const draft = await people.editor.pb.collection('updates').create({
      title: 'Draft on two reports', body: 'Text.', language: 'en', status: 'draft', author: people.editor.id,
      related_incidents: [older, reopened],
    });
    await coord.update(reopened, { status: 'in_review' });
    // a published update on two reports, both reopened since: the editor
    // takes one out and keeps the other
    const [pa, pb] = await Promise.all([1, 2].map(() => people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id))));
    await verify(pa.id);
    await verify(pb.id);
    const pair = {
      a: pa.id,
      b: pb.id,
      update: await people.editor.pb.collection('updates').create({
        title: 'Published on two reports', body: 'Text.', language: 'en', status: 'published', author: people.editor.id,
        related_incidents: [pa.id, pb.id],
      }),
    };
    await coord.update(pa.id, { status: 'in_review' });
    await coord.update(pb.id, { status: 'in_review' });
    for (let i = 0; i < 100; i += 20) { // *:create: 120 per 10 s
      const newer = await Promise.all(Array.from({ length: 20 }, () => people.volunteerB.pb.collection('incident_reports').create(newReport(people.volunteerB.id))));
      await Promise.all(newer.map((r) => verify(r.id)));
    }
    // a report to take into review: submitted, opened from its link
    const toTake = await people.volunteerB.pb.collection('incident_reports').create(newReport(people.volunteerB.id));

    const s = await signIn(people.editor.email);
    const { page } = s;
    await slow(page, 1500);
    const posts = writes(page, 'updates');
    await page.click('#tabs a[href="#/updates"]');
    await page.click('#new');
    await page.fill('#in-title', 'Tapped twice on 2G');
    await page.fill('#in-body', 'The network was slow.');
    await page.click('#save');
    await page.click('#save', { force: true, timeout: 1000 }).catch(() => {});
    await page.locator('#act-publish').waitFor();
    const made = await people.editor.pb.collection('updates').getFullList({ filter: "title = 'Tapped twice on 2G'" });
    assert.equal(made.length, 1, `${made.length} drafts, requests: ${posts.join(', ')}`);

    // editing a draft keeps its related report older than the hundred
    // listed, and the one reopened since (which the editor can no longer
    // read) too: checked, with a note, sent back as it was
    await page.evaluate((h) => { window.location.hash = h; }, `#/updates/${draft.id}/edit`);
    await page.locator('#in-title').waitFor();
    assert.equal(await page.locator(`#in-related_incidents input[value="${older}"]`).isChecked(), true, 'the older report is not offered');
    const gone = page.locator(`#in-related_incidents input[value="${reopened}"]`);
    assert.equal(await gone.isChecked(), true, 'the reopened report is not kept checked');
    assert.equal(await gone.isEnabled(), true, 'the reopened report cannot be unchecked');
    assert.match(await page.locator(`#in-related_incidents [data-unreadable="${reopened}"]`).textContent(), /stays related to this update unless you uncheck it/);
    await page.fill('#in-title', 'Draft on two reports, corrected');
    await page.click('#save');
    await page.locator('#act-publish').waitFor();
    const kept = await people.editor.pb.collection('updates').getOne(draft.id);
    assert.equal(kept.title, 'Draft on two reports, corrected');
    assert.deepEqual(kept.related_incidents.toSorted(), [older, reopened].toSorted(), 'a text correction changed the related reports');

    // a published update on two reports reopened since: the editor takes
    // out one, the other stays (the server judges only what is added)
    await page.evaluate((h) => { window.location.hash = h; }, `#/updates/${pair.update.id}/edit`);
    await page.locator('#in-title').waitFor();
    assert.equal(await page.locator(`#in-related_incidents input[value="${pair.b}"]`).isChecked(), true);
    await page.uncheck(`#in-related_incidents input[value="${pair.a}"]`);
    await page.click('#save');
    await page.locator('#act-retract').waitFor();
    const one = await people.editor.pb.collection('updates').getOne(pair.update.id);
    assert.deepEqual(one.related_incidents, [pair.b], 'taking out one report took out the other');
    assert.equal(one.related_unverified, true, 'still on a report no longer verified');
    // the list to add from holds verified reports only
    await page.evaluate((h) => { window.location.hash = h; }, `#/updates/${pair.update.id}/edit`);
    await page.locator('#in-title').waitFor();
    assert.equal(await page.locator(`#in-related_incidents input[value="${pair.a}"]`).count(), 0, 'a report taken out is offered again before it is verified');
    await s.context.close();

    const c = await signIn(people.coordinator.email);
    await slow(c.page, 1500);
    const patches = writes(c.page, 'incident_reports');
    await listed(c.page);
    await go(c.page, `#/reports/${toTake.id}`, '#act-take');
    await c.page.click('#act-take');
    await c.page.click('#act-take', { force: true, timeout: 1000 }).catch(() => {});
    await c.page.locator('#act-verify').waitFor();
    assert.deepEqual(patches, [`PATCH /api/collections/incident_reports/records/${toTake.id}`]);
    await c.context.close();
  });

  test('an aid worker is offered only acknowledging and notes on a request still open, nothing on a closed one', async () => {
    const { root } = people;
    const org = await root.collection('organizations').create({
      name: 'Sughd Aid', kind: 'humanitarian', region: 'sughd', country: 'tj', active: true,
    });
    const member = await newPerson('aidmember', 'aid_worker', { organization: org.id });
    const openAid = await people.volunteerA.pb.collection('aid_requests').create({
      requester: people.volunteerA.id, region: 'sughd', needs: ['shelter'], urgency: 'normal',
      beneficiary_name: 'Widow with two children', contact_phone: '+992 92 123 4567', people_count: 3,
    });
    // assigned while still open: the organization acknowledges it, and nothing else
    await people.coordinator.pb.collection('aid_requests').update(openAid.id, { assigned_org: org.id });
    // closed: the organization keeps what was needed and done, not the
    // contact, the notes or the place
    const closedAid = await people.volunteerA.pb.collection('aid_requests').create({
      requester: people.volunteerA.id, region: 'sughd', needs: ['water'], urgency: 'high', place: 'Vorukh, by the mosque',
      beneficiary_name: 'Old man alone', contact_phone: '+992 92 765 4321', people_count: 1,
    });
    for (const step of [{ status: 'acknowledged', assigned_org: org.id, notes: 'His son: +992 93 000 1111' },
      { status: 'fulfilled' }, { status: 'closed' }]) {
      await people.coordinator.pb.collection('aid_requests').update(closedAid.id, step);
    }

    const s = await signIn(member.email);
    const { page } = s;
    assert.deepEqual(await listed(page), [openAid.id]);
    await page.click(`#records li[data-id="${openAid.id}"] a`);
    await page.locator('#record-fields').waitFor();
    // the update rule lets aid workers write open, acknowledged, in-progress
    // and fulfilled requests, and move them to the last three only (the
    // workflow: from open, to acknowledged)
    const moves = await page.locator('#actions .buttons button').evaluateAll((bs) => bs.map((b) => b.id));
    assert.deepEqual(moves, ['act-acknowledged'], 'cancelling stays the coordinators\'');
    assert.equal(await page.locator('#act-save').count(), 1, 'notes while open');
    // the closed request: shown without its contact, notes and place, and no action
    await page.click('a.back');
    await page.click('.chips [data-key="all"]');
    await page.locator('.chips [data-key="all"].on').waitFor();
    assert.deepEqual((await listed(page)).sort(), [openAid.id, closedAid.id].sort());
    await page.click(`#records li[data-id="${closedAid.id}"] a`);
    await page.locator('#record-fields .f-needs').waitFor();
    assert.equal(await page.locator('#actions').count(), 0, 'a Save the API answers with 404');
    for (const f of ['notes', 'place', 'beneficiary_name', 'contact_phone', 'location']) {
      assert.equal(await page.locator(`#record-fields .f-${f}`).count(), 0, `the closed request shows its ${f}`);
    }
    const text = await page.locator('body').textContent();
    for (const secret of ['Vorukh', '+992 93 000 1111', 'Old man alone']) {
      assert.ok(!text.includes(secret), `the page shows ${secret}`);
    }
    assert.deepEqual(s.errors.filter((e) => !e.startsWith('Failed to load resource')), [], 'the page ran without errors');
    await s.context.close();
  });

  test('signing out leaves the next person nothing: token, file token, storage', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries(newReport(people.volunteerB.id))) form.append(k, v);
    form.append('photos', new Blob([readFileSync(join(repoRoot, 'photos', 'strip', 'testdata', 'meta.png'))], { type: 'image/png' }), 'p.png');
    const photoReport = await people.volunteerB.pb.collection('incident_reports').create(form);
    // a phone's refused edit that sends keys every JavaScript object has
    const phone = new SyncProtocol({ url: server.url, token: people.volunteerA.token, client: `odd-${newId()}` });
    const odd = newReport(people.volunteerA.id);
    const pushed = await phone.push([
      { id: 'c1', collection: 'incident_reports', recordId: odd.id, baseRev: null, data: odd },
      { id: 'e1', collection: 'incident_reports', recordId: odd.id, baseRev: 1, data: JSON.parse('{"injured": -2, "category": "constructor", "__proto__": "p", "constructor": "c"}') },
    ]);
    assert.equal(pushed.results[1].status, 'rejected', JSON.stringify(pushed.results[1]));
    const oddKeys = pushed.results[1].conflict;

    const s = await signIn(people.coordinator.email);
    const { page } = s;
    // a conflict's keys are its own: the server had no "__proto__" nor
    // "constructor", and the page must not show Object.prototype's as its
    await page.evaluate((h) => { window.location.hash = h; }, `#/conflicts/${oddKeys}`);
    await page.locator('#compare').waitFor();
    const row = (f, side) => page.locator(`#compare tr[data-field="${f}"] td.${side}`).textContent();
    assert.equal(await row('__proto__', 'sent'), 'p');
    assert.equal(await row('__proto__', 'server'), '', 'the server column shows Object.prototype');
    assert.equal(await row('constructor', 'sent'), 'c');
    assert.equal(await row('constructor', 'server'), '');
    assert.equal(await row('category', 'sent'), 'constructor', 'a value named like Object\'s own keys is a value');
    assert.equal(await page.evaluate(() => ({}).p ?? Object.prototype.p), undefined);
    const first = await photoSrc(page, photoReport.id);
    assert.equal(tokenUser(new URL(first).searchParams.get('token')), people.coordinator.id);
    await page.click('#sign-out');
    await page.locator('#sign-in').waitFor();
    const stored = await page.evaluate(() => ({ ...localStorage, ...sessionStorage }));
    assert.deepEqual(Object.keys(stored).filter((k) => k !== 'aman.review.lang'), [], 'storage after sign-out');
    assert.equal(await page.locator('#records, #record-fields, .f-photos').count(), 0, 'nothing of the session is left');
    await page.goBack();
    await page.locator('#sign-in').waitFor();
    assert.equal(await page.locator('#records, #record-fields').count(), 0, 'nor after the back button');

    // the reporter signs in on the same tab and opens their report
    await page.fill('#email', people.volunteerB.email);
    await page.fill('#password', password);
    await page.click('#sign-in button[type=submit]');
    await page.locator('#sign-out').waitFor();
    const second = await photoSrc(page, photoReport.id);
    assert.equal(tokenUser(new URL(second).searchParams.get('token')), people.volunteerB.id,
      'the photo is fetched with the previous person\'s file token');
    await s.context.close();
  });

  test('a session the server no longer honours goes back to sign-in by itself while the screen is open', async () => {
    const user = await newPerson('revoked-coordinator', 'coordinator');
    const report = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id));
    const s = await signIn(user.email);
    const { page } = s;
    await listed(page);
    assert.ok((await listed(page)).includes(report.id), 'the queue lists the report');
    await followed(s, 'incident_reports');
    // the laptop was lost: an administrator changes the password, which
    // invalidates every token of the account; the screen, which follows
    // its own user record (review-access.test.js), leaves by itself
    await newPassword(user);
    await sessionEnded(page, 'Your account was removed, or its session was ended on the server: sign in again, or ask an administrator.');
    assert.equal(await page.locator('li.empty').count(), 0, 'an empty queue');
    await s.context.close();
  });

  test('a session the server no longer honours goes back to sign-in, on a list a guest gets empty', async () => {
    const user = await newPerson('revoked-volunteer', 'volunteer');
    // without realtime (every realtime request refused), the screen does
    // not learn of the password change by itself: the list's own answer
    // must end the session
    const s = await signInAt(browser, server.url, user.email, password,
      (context) => context.route('**/api/realtime', (route) => route.abort()));
    const { page } = s;
    await listed(page);
    await newPassword(user);
    await page.click('#tabs a[href="#/aid"]');
    await sessionEnded(page);
    assert.deepEqual(await refusedAnswers(s), ['/api/collections/aid_requests/records']);
    assert.equal(await page.locator('li.empty').count(), 0, 'an empty list');
    await s.context.close();
  });

  test('a token kept from an earlier visit that the server no longer honours is forgotten at the next visit', async () => {
    const user = await newPerson('revoked-editor', 'editor');
    const s = await signIn(user.email);
    const { page } = s;
    await newPassword(user);
    await page.reload();
    await page.locator('#sign-in').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('pocketbase_auth')), null, 'the token is kept');
    assert.equal(await page.locator('#flash').isHidden(), true, 'an error at the start');
    assert.equal(await page.locator('#sign-in h1').textContent(), 'Aman review', 'the strings');
    assert.deepEqual(s.errors.filter((e) => !/status of 401/.test(e)), [], 'the page ran without errors');
    await s.context.close();
  });
});
