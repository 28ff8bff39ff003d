// The review screen (/review/) refreshing live, in headless Chromium
// (phone-sized; its own server, so its logins count against no other
// file's): records written through the API meanwhile appear in the lists a
// coordinator, an aid worker and an editor watch, without a reload; a
// record's page changed by someone else keeps what its reader typed and
// says so; what arrives over realtime (Server-Sent Events, recorded by
// lib/review-page.js) carries no anonymous reporter and nothing of another
// organization's requests; a signed-out page receives nothing. A
// coordinator's aid request fulfilled by a retired organization carries a
// badge; one it was still handling was released when it retired. A request
// taken from an aid worker's organization leaves their list and their page
// (the page says it is no longer theirs to see). A page and
// a list whose connection dropped (a server restart, last) catch up once the
// SDK connects again; a report's photos the server refuses a thumbnail for
// (too large, too busy) say so. Logins: 10 per 30 s per address and account
// (100 across accounts), so each person's session is reused where it can be.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

import { launchChromium } from './lib/chromium.js';
import { startServer } from './lib/server.js';
import { apiBodies, cspErrors, go, signIn as signInAt } from './lib/review-page.js';
import { createPeople, newId, newReport, password } from './lib/people.js';
import { SyncProtocol } from './lib/sync-protocol.js';

let server;
let people;
let browser;
const signIn = (email) => signInAt(browser, server.url, email, password);

let org; // the aid worker's organization
let otherOrg;
let retiredOrg;
let anon; // files anonymously: their name must reach no page
let member; // an aid worker of org
let inReview; // a report a coordinator reviews while someone else changes it
let retiredAid; // fulfilled by retiredOrg, retired since
let releasedAid; // acknowledged by retiredOrg, released when it retired
let coord; // the coordinator's session, reused (signed out last)
let coord2; // another coordinator, an SDK client (impersonated: no login), resolving conflicts elsewhere
let strings; // the screen's strings in Russian, the coordinator's language

// conflictOn makes a real sync conflict on a new report of volunteer A:
// two phones edit its description from the same base, the second loses.
// Returns the conflict's id.
async function conflictOn(description) {
  const phone = (name) => new SyncProtocol({ url: server.url, token: people.volunteerA.token, client: `${name}-${newId()}` });
  const [one, two] = [phone('one'), phone('two')];
  const report = newReport(people.volunteerA.id);
  const m = (id, baseRev, data) => [{ id, collection: 'incident_reports', recordId: report.id, baseRev, data }];
  assert.equal((await one.push(m('c1', null, report))).results[0].status, 'applied');
  assert.equal((await one.push(m('e1', 1, { description: 'Phone one\'s wording.' }))).results[0].status, 'applied');
  const res = (await two.push(m('e1', 1, { description }))).results[0];
  assert.equal(res.status, 'conflict', JSON.stringify(res));
  return res.conflict;
}

// hold makes page's requests that match(request) wait until release() is
// called; held resolves when the first arrives.
async function hold(page, match) {
  let arrived;
  let release;
  const held = new Promise((ok) => { arrived = ok; });
  const gate = new Promise((ok) => { release = ok; });
  const handling = [];
  const handler = (route) => {
    const done = (async () => {
      if (match(route.request())) {
        arrived();
        await gate;
      }
      await route.continue();
    })();
    handling.push(done);
    return done;
  };
  await page.route('**/api/**', handler);
  return {
    held,
    release: async () => {
      release();
      await Promise.all(handling);
      await page.unroute('**/api/**', handler);
    },
  };
}

// png is a grayscale PNG of w×h pixels whose data holds one row only: enough
// for an image's header (what the server reads before a thumbnail), and a
// valid image when h is 1.
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // 8 bits, grayscale
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(w + 1, 0x80).fill(0, 0, 1))), chunk('IEND', Buffer.alloc(0))]);
}

// withPhoto is a new report of volunteer A with a small photo.
function withPhoto() {
  return people.volunteerA.pb.collection('incident_reports').create({
    ...newReport(people.volunteerA.id), photos: [new File([png(4, 1)], 'photo.png', { type: 'image/png' })],
  });
}

// appears waits until the page's list shows id, without a navigation
// (window.__kept, set before, survives only without a reload).
async function appears(page, id) {
  await page.locator(`#records li[data-id="${id}"]`).waitFor({ timeout: 10000 });
  assert.equal(await page.evaluate(() => window.__kept), 1, 'the page was not reloaded');
}

const request = (pb, extra = {}) => pb.collection('aid_requests').create({
  requester: people.volunteerA.id, region: 'batken', needs: ['water'], urgency: 'high',
  beneficiary_name: 'Family by the canal', contact_phone: '+996 555 000 111', people_count: 4, ...extra,
});

before(async () => {
  server = await startServer();
  people = await createPeople(server);
  const { root } = people;
  const orgOf = (name) => root.collection('organizations').create({
    name, kind: 'humanitarian', region: 'batken', country: 'kg', active: true,
  });
  [org, otherOrg, retiredOrg] = await Promise.all([orgOf('Osh Relief'), orgOf('Other Aid'), orgOf('Closed Aid')]);
  const user = (key, fields) => root.collection('users').create({
    role: 'volunteer', region: 'batken', language: 'en', ...fields,
    email: `${key}@aman.e2e`, password, passwordConfirm: password, verified: true,
  }).then((r) => ({ id: r.id, email: `${key}@aman.e2e`, name: fields.name }));
  [anon, member] = await Promise.all([
    user('anon', { name: 'Dilnoza Unseenname' }),
    user('member', { name: 'Osh Member', role: 'aid_worker', organization: org.id }),
  ]);
  const reports = people.coordinator.pb.collection('incident_reports');
  inReview = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id));
  await reports.update(inReview.id, { status: 'in_review' });
  const coordAid = people.coordinator.pb.collection('aid_requests');
  [retiredAid, releasedAid] = await Promise.all([request(people.volunteerA.pb), request(people.volunteerA.pb)]);
  for (const aid of [retiredAid, releasedAid]) {
    await coordAid.update(aid.id, { status: 'acknowledged', assigned_org: retiredOrg.id });
  }
  await coordAid.update(retiredAid.id, { status: 'fulfilled' });
  // retiring it releases the requests it was still handling (open, no organization)
  await root.collection('organizations').update(retiredOrg.id, { active: false });
  const other = await root.collection('users').create({
    role: 'coordinator', region: 'batken', language: 'en', name: 'Other Coordinator',
    email: 'coord2@aman.e2e', password, passwordConfirm: password, verified: true,
  });
  coord2 = await root.collection('users').impersonate(other.id, 3600);
  strings = (await root.send('/api/aman/review/messages', { query: { lang: 'ru' } })).messages;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('review screen, live', () => {
  test('a coordinator on the queue sees a volunteer\'s new report appear without reloading', async () => {
    coord = await signIn(people.coordinator.email);
    const { page } = coord;
    await go(page, '#/reports', '.chips [data-key="queue"].on');
    await page.locator('#records li[data-id]').first().waitFor();
    await page.evaluate(() => { window.__kept = 1; });
    const filed = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id, {
      description: 'Filed while the coordinator watched.',
    }));
    await appears(page, filed.id);
    assert.equal(await page.locator('.chips [data-key="queue"].on').count(), 1, 'the filter is kept');
    assert.ok(coord.realtime.some((m) => m.event === 'incident_reports/*' && m.data.includes(filed.id)), 'it came over realtime');
    assert.deepEqual(cspErrors(coord), []);
  });

  test('an anonymous report arriving live carries no reporter, in the page nor in any realtime message', async () => {
    const { page } = coord;
    const filed = await people.root.collection('incident_reports').create(newReport(anon.id, {
      anonymous: true, category: 'detention', description: 'Taken at the checkpoint at dawn.',
    }));
    await appears(page, filed.id);
    await page.click(`#records li[data-id="${filed.id}"] a`);
    await page.locator('#anonymous-note').waitFor();
    const messages = coord.realtime.filter((m) => m.data.includes(filed.id));
    assert.ok(messages.length > 0, 'the report came over realtime');
    const text = await page.content();
    const bodies = (await apiBodies(coord)).map((b) => b.body);
    for (const secret of [anon.id, anon.email, anon.name]) {
      assert.ok(!text.includes(secret), `page shows ${secret}`);
      assert.ok(!bodies.some((b) => b.includes(secret)), `an API response carries ${secret}`);
      assert.ok(!coord.realtime.some((m) => m.data.includes(secret)), `a realtime message carries ${secret}`);
    }
  });

  test('a report changed by someone else while its page is open keeps what was typed, and says so', async () => {
    const { page } = coord;
    await go(page, `#/reports/${inReview.id}`, '#in-verification_note');
    // the coordinator's own save is no one else's change
    await page.fill('#in-verification_note', 'Called the school.');
    await page.click('#act-save');
    await page.locator('#flash.ok').waitFor();
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('#changed').count(), 0, 'own save read as someone else\'s');
    const typed = 'Called the school: two explosions confirmed by the director.';
    await page.fill('#in-verification_note', typed);
    await people.root.collection('incident_reports').update(inReview.id, { sources: 'Radio Ozodi' });
    await page.locator('#changed').waitFor({ timeout: 10000 });
    assert.equal(await page.inputValue('#in-verification_note'), typed, 'the typed text is kept');
    assert.doesNotMatch(await page.locator('.f-sources').textContent(), /Ozodi/, 'the form was not replaced');
    await page.click('#act-reload');
    await page.locator('.f-sources', { hasText: 'Radio Ozodi' }).waitFor();
    assert.equal(await page.locator('#changed').count(), 0);
    // nothing edited: the page shows the change itself
    await people.root.collection('incident_reports').update(inReview.id, { sources: 'Radio Azattyk' });
    await page.locator('.f-sources', { hasText: 'Radio Azattyk' }).waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#changed').count(), 0);
  });

  test('moving to another section drops the subscription of the one before', async () => {
    const { page } = coord;
    const subs = (r) => (r.url().endsWith('/api/realtime') && r.request().method() === 'POST'
      ? r.request().postDataJSON().subscriptions : null);
    const sent = page.waitForResponse((r) => subs(r)?.includes('aid_requests/*'));
    await go(page, '#/aid', '.chips [data-key="active"].on');
    // PB_CONNECT: the SDK's own topic for every connection (live.js catches up on a new one);
    // users/<id>: the coordinator's own record, followed for the whole session (review-access.test.js)
    const own = ['PB_CONNECT', `users/${people.coordinator.id}`];
    assert.deepEqual(subs(await sent).filter((t) => !own.includes(t)), ['aid_requests/*'], 'subscriptions held on the aid requests');
    const reportsSeen = () => coord.realtime.filter((m) => m.event === 'incident_reports/*').length;
    const before = reportsSeen();
    await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id));
    const filed = await request(people.volunteerA.pb);
    await appears(page, filed.id);
    assert.equal(reportsSeen(), before, 'a report\'s event after leaving the reports');
  });

  test('a request assigned to a retired organization carries a badge for the coordinator', async () => {
    const { page } = coord;
    const current = await request(people.volunteerA.pb);
    await people.coordinator.pb.collection('aid_requests').update(current.id, { status: 'acknowledged', assigned_org: org.id });
    await go(page, '#/aid', '.chips [data-key="active"].on');
    await page.click('.chips [data-key="all"]');
    await page.locator('.chips [data-key="all"].on').waitFor();
    await page.locator(`#records li[data-id="${current.id}"]`).waitFor();
    assert.equal(await page.locator(`#records li[data-id="${retiredAid.id}"] .s-retired`).count(), 1, 'badge in the list');
    assert.equal(await page.locator(`#records li[data-id="${current.id}"] .s-retired`).count(), 0, 'an active organization has none');
    // released: open again, assigned to nobody, so no badge
    const released = page.locator(`#records li[data-id="${releasedAid.id}"]`);
    assert.equal(await released.locator('.s-retired').count(), 0, 'a released request has no badge');
    assert.doesNotMatch(await released.textContent(), /Closed Aid/);
    await page.click(`#records li[data-id="${retiredAid.id}"] a`);
    await page.locator('h1 .s-retired').waitFor();
    // the coordinator's account is in Russian
    assert.equal(await page.locator('h1 .s-retired').textContent(), 'организация больше не работает');
    // the select names the organization, not "No organization"
    const picked = await page.locator('#in-assigned_org').evaluate((s) => s.selectedOptions[0].textContent);
    assert.match(picked, /Closed Aid/);
  });

  test('a record page shows a change made before its subscription was confirmed', async () => {
    const { page } = coord;
    // on the aid requests (whichever filter the test before left on): the
    // report's page subscribes to the reports anew
    await go(page, '#/aid', '.chips .on');
    await page.locator('#records li').first().waitFor();
    const report = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id));
    const subscribing = await hold(page, (r) => r.method() === 'POST' && r.url().endsWith('/api/realtime')
      && (r.postDataJSON()?.subscriptions || []).includes('incident_reports/*'));
    await go(page, `#/reports/${report.id}`, '#act-take');
    await subscribing.held;
    // the page shows the report; PocketBase has not yet heard of the subscription
    await people.root.collection('incident_reports').update(report.id, { place: 'Changed before the subscription' });
    await subscribing.release();
    await page.locator('.f-place', { hasText: 'Changed before the subscription' }).waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#changed').count(), 0, 'nothing was edited');
  });

  test('text typed while a page is fetched again after someone else\'s change is kept', async () => {
    const { page } = coord;
    await go(page, `#/reports/${inReview.id}`, '#in-verification_note');
    await page.waitForTimeout(1000); // subscribed: no catch-up under way
    // the redraw's fetch of the report waits (a slow link) while the coordinator types
    const redraw = await hold(page, (r) => r.method() === 'GET'
      && new URL(r.url()).pathname === `/api/collections/incident_reports/records/${inReview.id}`
      && new URL(r.url()).searchParams.has('expand'));
    await people.root.collection('incident_reports').update(inReview.id, { sources: 'Radio Ozodi, during the redraw' });
    await redraw.held;
    const typed = 'Typed while the page was fetched again.';
    await page.fill('#in-verification_note', typed);
    await redraw.release();
    await page.locator('#changed').waitFor({ timeout: 10000 });
    assert.equal(await page.inputValue('#in-verification_note'), typed, 'the typed text is kept');
    await page.click('#act-reload');
    await page.locator('.f-sources', { hasText: 'during the redraw' }).waitFor();
  });

  test('an open history shows the record\'s changes as they are made', async () => {
    const { page } = coord;
    await go(page, `#/reports/${inReview.id}`, '#history');
    await page.click('#history summary');
    const rows = page.locator('#history-list > li[data-rev]');
    await rows.first().waitFor();
    let before = await rows.count();
    // an open history is reading, not editing: the page is drawn anew, the history open and fetched again
    await people.root.collection('incident_reports').update(inReview.id, { sources: 'Radio Ozodi, in the history' });
    await page.locator('.f-sources', { hasText: 'in the history' }).waitFor({ timeout: 10000 });
    await page.locator('#history-list > li[data-rev] .new', { hasText: 'in the history' }).waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#history[open]').count(), 1, 'the history is open');
    assert.equal(await rows.count(), before + 1, 'one row more, none twice');
    assert.match(await rows.first().textContent(), /in the history/, 'the newest on top');
    assert.equal(await page.locator('#changed').count(), 0, 'said changed, not drawn anew');
    // typed: the page is kept and says so; the open history grows
    before = await rows.count();
    await page.fill('#in-verification_note', 'Typed under the open history.');
    await people.root.collection('incident_reports').update(inReview.id, { sources: 'Radio Ozodi, typed under the history' });
    await page.locator('#changed').waitFor({ timeout: 10000 });
    await page.locator('#history-list > li[data-rev] .new', { hasText: 'typed under the history' }).waitFor({ timeout: 10000 });
    assert.equal(await rows.count(), before + 1, 'one row more, none twice');
    assert.equal(await page.inputValue('#in-verification_note'), 'Typed under the open history.');
    assert.doesNotMatch(await page.locator('.f-sources').textContent(), /typed under/, 'the form was not replaced');
  });

  test('an open history that grows names what its new rows name', async () => {
    const { page } = coord;
    const aid = await request(people.volunteerA.pb);
    await go(page, `#/aid/${aid.id}`, '#history');
    await page.click('#history summary');
    const rows = page.locator('#history-list > li[data-rev]');
    await rows.first().waitFor();
    const createdRev = await rows.first().getAttribute('data-rev');
    // typed: the page stays, the history grows in place
    await page.fill('#in-notes', 'Calling them back.');
    const fresh = await people.root.collection('organizations').create({
      name: 'Fresh Relief', kind: 'humanitarian', region: 'batken', country: 'kg', active: true,
    });
    await coord2.collection('aid_requests').update(aid.id, { assigned_org: fresh.id });
    await page.locator('#changed').waitFor({ timeout: 10000 });
    // the create's row also lists assigned_org (empty): wait for the new row on top
    await page.waitForFunction((rev) => document.querySelector('#history-list > li[data-rev]')?.dataset.rev !== rev,
      createdRev, { timeout: 10000 });
    const assigned = page.locator('#history-list > li[data-rev]').first().locator('[data-field="assigned_org"] .new');
    await assigned.waitFor({ timeout: 10000 });
    assert.equal(await assigned.textContent(), 'Fresh Relief', 'the organization assigned meanwhile, named');
    const actor = page.locator('#history-list > li[data-rev]').first().locator('.actor');
    assert.equal(await actor.textContent(), 'Other Coordinator', 'the coordinator who assigned it, named');
  });

  test('a conflict resolved on another screen says so, and resolving it again is refused plainly', async () => {
    const { page } = coord;
    const conflicts = coord2.collection('sync_conflicts');
    // nothing typed: the page shows it resolved, by the other coordinator
    const first = await conflictOn('Phone two, first conflict.');
    await go(page, `#/conflicts/${first}`, '#act-resolve');
    await conflicts.update(first, { status: 'resolved', resolution: 'Kept the server\'s wording.' });
    await page.locator('#resolved-elsewhere').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#resolved-elsewhere').textContent(), strings.review_resolved_elsewhere);
    assert.equal(await page.locator('#act-resolve').count(), 0, 'still resolvable');
    await page.locator('#resolved-by-other').waitFor();
    // typed: kept, and said; resolving it anyway is refused with that message
    const second = await conflictOn('Phone two, second conflict.');
    await go(page, `#/conflicts/${second}`, '#act-resolve');
    await page.fill('#in-resolution', 'Applied the phone\'s wording.');
    await conflicts.update(second, { status: 'resolved', resolution: 'Asked the volunteer.' });
    await page.locator('#changed').waitFor({ timeout: 10000 });
    assert.match(await page.locator('#changed').textContent(), new RegExp(strings.review_resolved_elsewhere));
    assert.equal(await page.inputValue('#in-resolution'), 'Applied the phone\'s wording.');
    await page.click('#act-resolve');
    await page.locator('#flash.error').waitFor();
    assert.equal(await page.locator('#flash').textContent(), strings.review_resolved_elsewhere);
    const held = await people.root.collection('sync_conflicts').getOne(second);
    assert.equal(held.resolution, 'Asked the volunteer.', 'the second resolution was refused');
    assert.deepEqual(cspErrors(coord), []);
  });

  test('an aid worker sees a request assigned to their organization arrive, and nothing of another\'s', async () => {
    const s = await signIn(member.email);
    const { page } = s;
    await go(page, '#/aid', '.chips [data-key="active"].on');
    await page.locator('#records li').first().waitFor();
    await page.evaluate(() => { window.__kept = 1; });
    const coordAid = people.coordinator.pb.collection('aid_requests');
    const theirs = await request(people.volunteerA.pb);
    await coordAid.update(theirs.id, { assigned_org: otherOrg.id });
    const ours = await request(people.volunteerA.pb);
    await coordAid.update(ours.id, { assigned_org: org.id });
    await appears(page, ours.id);
    assert.ok(s.realtime.some((m) => m.data.includes(ours.id)), 'it came over realtime');
    assert.ok(!s.realtime.some((m) => m.data.includes(theirs.id)), 'another organization\'s request reached the page');
    assert.equal(await page.locator(`#records li[data-id="${theirs.id}"]`).count(), 0);
    assert.deepEqual(cspErrors(s), []);
    await s.context.close();
  });

  test('an aid worker\'s list and page lose a request a coordinator takes from their organization, and keep nothing of it', async () => {
    const s = await signIn(member.email);
    const { page } = s;
    await go(page, '#/aid', '.chips [data-key="active"].on');
    await page.evaluate(() => { window.__kept = 1; });
    const coordAid = people.coordinator.pb.collection('aid_requests');
    const [listed, opened] = [await request(people.volunteerA.pb), await request(people.volunteerA.pb)];
    await coordAid.update(listed.id, { assigned_org: org.id });
    await coordAid.update(opened.id, { assigned_org: org.id });
    await appears(page, listed.id);
    await coordAid.update(listed.id, { assigned_org: otherOrg.id });
    await page.locator(`#records li[data-id="${listed.id}"]`).waitFor({ state: 'detached', timeout: 10000 });
    assert.equal(await page.evaluate(() => window.__kept), 1, 'the page was not reloaded');
    // what told it: a delete naming the request and nothing else of it
    const json = (t) => { try { return JSON.parse(t); } catch { return null; } };
    const left = s.realtime.map((m) => json(m.data)).filter((d) => d?.record?.id === listed.id && d.action === 'delete');
    assert.equal(left.length, 1, JSON.stringify(s.realtime));
    assert.deepEqual(Object.keys(left[0].record).sort(), ['collectionId', 'collectionName', 'id']);

    await go(page, `#/aid/${opened.id}`, 'a.back');
    await page.getByText('Family by the canal').first().waitFor();
    await coordAid.update(opened.id, { assigned_org: '' });
    await page.locator('#gone').waitFor({ timeout: 10000 });
    const pageStrings = (await people.root.send('/api/aman/review/messages', { query: { lang: 'en' } })).messages;
    assert.equal((await page.locator('#gone').textContent()).trim(), pageStrings.review_gone);
    assert.equal(await page.getByText('Family by the canal').count(), 0, 'the page still shows the request');
    assert.equal(await page.locator('a.back').count(), 1, 'no way back to the list');
    assert.deepEqual(cspErrors(s), []);
    await s.context.close();
  });

  test('an editor watching the drafts sees a new draft appear', async () => {
    const s = await signIn(people.editor.email);
    const { page } = s;
    await go(page, '#/updates', '.chips [data-key="all"].on');
    await page.locator('#records li').first().waitFor();
    await page.evaluate(() => { window.__kept = 1; });
    const draft = await people.editor.pb.collection('updates').create({
      title: 'Water deliveries resume in Vorukh', body: 'From Monday.', language: 'en', status: 'draft', author: people.editor.id,
    });
    await appears(page, draft.id);
    assert.deepEqual(cspErrors(s), []);
    await s.context.close();
  });

  let viewer; // the photos' coordinator session: the refusals are reported on its console
  test('a photo too large for a thumbnail says so and links the original', async () => {
    viewer = await signIn(people.coordinator.email);
    const { page } = viewer;
    const report = await withPhoto();
    const [name] = report.photos;
    // stored before the 50 MP limit existed: 7100×7100 pixels by its header
    writeFileSync(join(server.dataDir, 'storage', report.collectionId, report.id, name), png(7100, 7100));
    await go(page, `#/reports/${report.id}`, '.f-photos');
    const note = page.locator(`.f-photos .photo-note[data-name="${name}"]`);
    await note.waitFor({ timeout: 10000 });
    assert.match(await note.textContent(), new RegExp(strings.review_photo_too_large));
    const link = note.locator('a.original');
    assert.equal(await link.textContent(), strings.review_photo_original);
    const href = new URL(await link.getAttribute('href'));
    assert.equal(href.pathname, `/api/files/${report.collectionId}/${report.id}/${name}`);
    assert.equal(href.searchParams.get('thumb'), null, 'the original, not a thumbnail');
    const original = await page.evaluate((u) => fetch(u).then((r) => r.status), href.toString());
    assert.equal(original, 200, 'the link opens the original');
    assert.equal(await page.locator('.f-photos img').count(), 0, 'no broken image');
  });

  test('a thumbnail the server is too busy to make is asked for again, then offered to retry', async () => {
    const { page } = viewer;
    const report = await withPhoto();
    const [name] = report.photos;
    // the server's decode budget spent (photos/thumbs.go: 503 photos_busy after 30 s of waiting)
    const asked = [];
    const busy = (url) => url.pathname.endsWith(`/${name}`) && url.searchParams.get('thumb') === '100x100';
    const refuse = (route) => {
      asked.push(Date.now());
      return route.fulfill({
        status: 503, contentType: 'application/json', headers: { 'Retry-After': '1' },
        body: JSON.stringify({ status: 503, message: 'The server is busy making other thumbnails. Try again shortly.', data: { thumb: { code: 'photos_busy' } } }),
      });
    };
    await page.route(busy, refuse);
    await go(page, `#/reports/${report.id}`, '.f-photos');
    const note = page.locator(`.f-photos .photo-note[data-name="${name}"]`);
    await note.waitFor({ timeout: 15000 });
    assert.match(await note.textContent(), new RegExp(strings.review_photo_busy));
    // the image, the request that learns why, three more after Retry-After each
    assert.equal(asked.length, 5, `asked ${asked.length} times`);
    for (let i = 2; i < asked.length; i++) assert.ok(asked[i] - asked[i - 1] >= 900, 'waited for Retry-After');
    await page.unroute(busy, refuse);
    await note.locator('button.retry', { hasText: strings.review_photo_retry }).click();
    const img = page.locator(`.f-photos img[data-name="${name}"]`);
    await page.waitForFunction((n) => document.querySelector(`.f-photos img[data-name="${n}"]`)?.naturalWidth > 0, name, { timeout: 10000 });
    assert.equal(await img.count(), 1);
    assert.equal(await note.count(), 0);
    await viewer.context.close();
  });

  test('after signing out the page receives no realtime message', async () => {
    const { page } = coord;
    await go(page, '#/reports', '.chips [data-key="queue"].on');
    await page.locator('#records li[data-id]').first().waitFor();
    // subscribed: a change arrives
    const before = coord.realtime.length;
    await people.root.collection('incident_reports').update(inReview.id, { sources: 'Radio Ozodi, again' });
    const deadline = Date.now() + 10000;
    while (coord.realtime.length === before && Date.now() < deadline) await page.waitForTimeout(100);
    assert.ok(coord.realtime.length > before, 'no message before signing out');
    await page.click('#sign-out');
    await page.locator('#sign-in').waitFor();
    await page.waitForTimeout(500);
    const seen = coord.realtime.length;
    await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id));
    await people.root.collection('incident_reports').update(inReview.id, { sources: 'After sign-out' });
    await page.waitForTimeout(2000);
    assert.deepEqual(coord.realtime.slice(seen), [], 'realtime messages after sign-out');
    assert.deepEqual(cspErrors(coord), []);
    await coord.context.close();
  });

  test('a record page and a list catch up on what changed while the realtime connection was down', async () => {
    // last, in a session of its own: every page still open sees the restart
    const s = await signIn(people.coordinator.email);
    const { page } = s;
    const connects = () => s.realtime.filter((m) => m.event === 'PB_CONNECT').length;
    // the server restarts (every connection drops), the record changes
    // before the SDK connects again (its attempts refused meanwhile), then
    // it connects again and subscribes again by itself
    const realtimeGet = (url) => url.pathname === '/api/realtime';
    const refuse = (route) => (route.request().method() === 'GET' ? route.abort() : route.continue());
    const outage = async (change) => {
      await page.waitForTimeout(1000); // subscribed: no catch-up under way
      const before = connects();
      await page.route(realtimeGet, refuse);
      await server.restart();
      const changed = await change();
      await page.waitForTimeout(1500);
      await page.unroute(realtimeGet, refuse);
      return { before, changed };
    };
    const report = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id));
    await go(page, `#/reports/${report.id}`, '#act-take');
    let { before } = await outage(() => people.root.collection('incident_reports').update(report.id, { place: 'Changed while offline' }));
    await page.locator('.f-place', { hasText: 'Changed while offline' }).waitFor({ timeout: 15000 });
    assert.ok(connects() > before, 'connected again');
    assert.ok(!s.realtime.some((m) => m.data.includes('Changed while offline')), 'the change came over realtime');
    assert.equal(await page.locator('#changed').count(), 0, 'nothing was edited');
    // a list
    await go(page, '#/reports', '.chips .on');
    await page.click('.chips [data-key="all"]');
    await page.locator('.chips [data-key="all"].on').waitFor();
    await page.locator('#records li[data-id]').first().waitFor();
    await page.evaluate(() => { window.__kept = 1; });
    let filed;
    ({ before, changed: filed } = await outage(() => people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id))));
    await appears(page, filed.id);
    assert.ok(connects() > before, 'connected again');
    assert.ok(!s.realtime.some((m) => m.data.includes(filed.id)), 'the report came over realtime');
    await s.context.close();
  });
});
