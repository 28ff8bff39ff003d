// The review screen's sync conflicts, history and translations in real
// headless Chromium, on a phone-sized viewport. Real conflicts: two phones
// push edits of one report through /api/sync/v1/push from the same base;
// the second loses the description and is kept in sync_conflicts. Checked
// on data: what the API holds afterwards, what the page and every API
// response contain. Logins are few (the *:auth limit is 10 per 30 s per
// address and account): one browser session per person, the anonymous reporter's token
// by a superuser's impersonation, which is no login. AMAN_SCREENSHOT=1 saves
// docs/img/review-conflict.png (a coordinator's phone, a conflict).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { launchChromium } from './lib/chromium.js';
import { repoRoot, startServer } from './lib/server.js';
import { apiBodies, cspErrors, go, listed, signIn as signInAt } from './lib/review-page.js';
import { createPeople, newId, newReport, password } from './lib/people.js';
import { SyncProtocol } from './lib/sync-protocol.js';

const R = 'incident_reports';

let server;
let people;
let browser;

// signIn signs email in on the review screen (lib/review-page.js).
const signIn = (email) => signInAt(browser, server.url, email, password);

let anon; // files only anonymously: their name, email, id and phones must appear nowhere
let labelsRu; // the coordinator's account is in Russian
const plain = { lost: 'Phone two: four explosions, one house burned.', won: 'Phone one: three explosions near the school.' };
const hidden = { lost: 'Phone two of the anonymous one: soldiers at every door.', won: 'Phone one of the anonymous one: the checkpoint moved.' };

// phone is a device of a user over protocol v1; its client id is its own.
function phone(token, name) {
  return new SyncProtocol({ url: server.url, token, client: `${name}-${newId()}` });
}

// conflictOn makes a real conflict on a report: phone one creates it and
// edits its description from rev 1, phone two edits the description from
// rev 1 too (offline meanwhile) and loses. Returns the report's id, the
// conflict's id and phone two's client id.
async function conflictOn(token, report, name, texts, extra = {}) {
  const one = phone(token, `${name}-one`);
  const two = phone(token, `${name}-two`);
  const created = await one.push([{ id: 'c1', collection: R, recordId: report.id, baseRev: null, data: report }]);
  assert.equal(created.results[0].status, 'applied', JSON.stringify(created.results[0]));
  assert.equal(created.results[0].rev, 1);
  const first = await one.push([{ id: 'e1', collection: R, recordId: report.id, baseRev: 1, data: { description: texts.won } }]);
  assert.equal(first.results[0].status, 'applied', JSON.stringify(first.results[0]));
  const second = await two.push([{
    id: 'e1', collection: R, recordId: report.id, baseRev: 1, data: { description: texts.lost, ...extra },
  }]);
  const res = second.results[0];
  assert.equal(res.status, 'conflict', JSON.stringify(res));
  assert.deepEqual(res.fields, ['description']);
  return { id: report.id, conflict: res.conflict, client: two.client };
}

const made = {};

// verifiedReport files a report of volunteer A at place (made unique) and
// has the coordinator verify it: editors read verified reports only.
async function verifiedReport(place) {
  const r = await people.volunteerA.pb.collection(R).create(newReport(people.volunteerA.id, { place: `${place} ${newId()}` }));
  const incidents = people.coordinator.pb.collection(R);
  await incidents.update(r.id, { status: 'in_review' });
  await incidents.update(r.id, { status: 'verified', verified_by: people.coordinator.id, verification_note: 'Seen.' });
  return r;
}

before(async () => {
  server = await startServer();
  people = await createPeople(server);
  const { root } = people;
  const rec = await root.collection('users').create({
    name: 'Zarina Hiddenname', role: 'volunteer', region: 'batken', language: 'ky',
    email: 'anon@aman.e2e', password, passwordConfirm: password, verified: true,
  });
  anon = { id: rec.id, email: 'anon@aman.e2e', name: 'Zarina Hiddenname' };
  const anonToken = (await root.collection('users').impersonate(anon.id, 3600)).authStore.token;
  made.plain = await conflictOn(people.volunteerA.token, newReport(people.volunteerA.id), 'volunteer-a', plain, { injured: 1 });
  // phone two of the anonymous reporter sends its whole document, the
  // reporter included: the evidence keeps it, the API hides it.
  const anonReport = newReport(anon.id, { anonymous: true, category: 'detention', description: 'Men taken to the checkpoint.' });
  made.anon = await conflictOn(anonToken, anonReport, 'anon', hidden, { reporter: anon.id, anonymous: true });
  // a rejected edit: a negative number of injured, refused by validation
  const b = phone(people.volunteerB.token, 'volunteer-b');
  const report = newReport(people.volunteerB.id);
  const pushed = await b.push([
    { id: 'c1', collection: R, recordId: report.id, baseRev: null, data: report },
    { id: 'e1', collection: R, recordId: report.id, baseRev: 1, data: { injured: -2 } },
  ]);
  const refused = pushed.results[1];
  assert.equal(refused.status, 'rejected', JSON.stringify(refused));
  made.rejected = { id: report.id, conflict: refused.conflict, error: refused.error };
  labelsRu = await (await fetch(`${server.url}/api/aman/labels?lang=ru`)).json();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('review screen: conflicts, history, translations', () => {
  let coord;
  let editor;

  test('a coordinator sees a report\'s open conflict, with the phone\'s value, and resolves it', async () => {
    coord = await signIn(people.coordinator.email);
    const { page } = coord;
    // the report's page says it has one open conflict and links to it
    await go(page, `#/reports/${made.plain.id}`, '#open-conflicts');
    assert.equal(await page.locator('#open-conflicts .count').textContent(), '1');
    await page.click('#open-conflicts a');
    assert.deepEqual(await listed(page), [made.plain.conflict], 'the list of the report\'s conflicts');

    // the Conflicts section lists both, open ones
    await page.click('#tabs a[href="#/conflicts"]');
    await page.locator('.chips [data-key="open"].on').waitFor();
    const ids = await listed(page);
    for (const c of [made.plain.conflict, made.anon.conflict]) assert.ok(ids.includes(c), `lists ${c}`);

    await page.click(`#records li[data-id="${made.plain.conflict}"] a`);
    const row = page.locator('#compare tr[data-field="description"]');
    await row.waitFor();
    assert.equal(await row.getAttribute('class'), 'conflicting');
    assert.equal(await row.locator('td.sent').textContent(), plain.lost, 'what the phone sent');
    assert.equal(await row.locator('td.server').textContent(), plain.won, 'the server\'s value then');
    const injured = page.locator('#compare tr[data-field="injured"]');
    assert.equal(await injured.getAttribute('class'), '', 'a merged field is not highlighted');
    assert.equal(await injured.locator('td.sent').textContent(), '1');
    assert.equal(await page.locator('#conflict-facts .f-user').textContent(), 'Volunteer A');
    assert.equal(await page.locator('#conflict-record').getAttribute('href'), `#/reports/${made.plain.id}`);

    const resolution = 'Phone two is right: the house burned. Description updated with the reporter by phone.';
    await page.fill('#in-resolution', resolution);
    if (process.env.AMAN_SCREENSHOT) {
      await page.screenshot({ path: join(repoRoot, 'docs', 'img', 'review-conflict.png'), fullPage: true });
    }
    await page.click('#act-resolve');
    await page.locator('#act-reopen-conflict').waitFor();
    const c = await people.coordinator.pb.collection('sync_conflicts').getOne(made.plain.conflict);
    assert.equal(c.status, 'resolved');
    assert.equal(c.resolution, resolution);
    assert.equal(c.resolved_by, people.coordinator.id);
    assert.equal(await page.locator('#conflict-status').textContent(), labelsRu.collections.sync_conflicts.fields.status.values.resolved);

    // the report has no open conflict left
    await page.click('#conflict-record');
    await page.locator('#record-fields').waitFor();
    assert.equal(await page.locator('#open-conflicts').count(), 0);
    assert.deepEqual(cspErrors(coord), []);
  });

  test('a conflict about an anonymous report shows no reporter, in the page nor in any response', async () => {
    const s = coord;
    const { page } = s;
    await go(page, `#/conflicts/${made.anon.conflict}`, '#compare tr[data-field="description"]');
    assert.equal(await page.locator('#compare tr[data-field="description"] td.sent').textContent(), hidden.lost);
    assert.equal(await page.locator('#compare tr[data-field="reporter"]').count(), 0, 'no reporter row');
    assert.equal(await page.locator('#conflict-facts .f-user').count(), 0, 'no submitter');
    assert.equal(await page.locator('#conflict-facts .f-client').count(), 0, 'no device');
    // the list and the record's page too
    await go(page, `#/reports/${made.anon.id}`, '#anonymous-note');
    await page.locator('#open-conflicts').waitFor();
    await page.click('#history summary');
    await page.locator('#history-list li').first().waitFor();
    const text = await page.locator('body').innerText();
    const html = await page.content();
    const bodies = await apiBodies(s);
    assert.ok(bodies.some((b) => b.url.includes(`/sync_conflicts/records/${made.anon.conflict}`)), 'the conflict was fetched');
    for (const secret of [anon.id, anon.email, anon.name, made.anon.client]) {
      assert.ok(!text.includes(secret) && !html.includes(secret), `page shows ${secret}`);
      const leak = bodies.find((b) => b.body.includes(secret));
      assert.equal(leak, undefined, `${leak?.url} sent ${secret}`);
    }
  });

  test('a rejected edit shows the API\'s error; the coordinator resolves and reopens it', async () => {
    const { page } = coord;
    await go(page, `#/conflicts/${made.rejected.conflict}`, '#conflict-error');
    // the message as the API stored it for the phone (in its user's language)
    const stored = await people.coordinator.pb.collection('sync_conflicts').getOne(made.rejected.conflict);
    assert.equal(stored.kind, 'rejected');
    assert.ok(stored.error.message && stored.error.fields.injured.message, JSON.stringify(stored.error));
    const box = await page.locator('#conflict-error').innerText();
    assert.ok(box.includes(stored.error.message), `"${box}" has "${stored.error.message}"`);
    assert.ok(box.includes(stored.error.fields.injured.message), 'and the field\'s message');
    assert.equal(await page.locator('#compare tr[data-field="injured"] td.sent').textContent(), '-2');
    await page.fill('#in-resolution', 'A typo on the phone; asked the volunteer.');
    await page.click('#act-resolve');
    await page.locator('#act-reopen-conflict').waitFor();
    await page.click('#act-reopen-conflict');
    await page.locator('#act-resolve').waitFor();
    const c = await people.coordinator.pb.collection('sync_conflicts').getOne(made.rejected.conflict);
    assert.equal(c.status, 'open');
    assert.equal(c.resolved_by, '', 'an open conflict names nobody');
    assert.deepEqual(cspErrors(coord), []);
  });

  test('a conflict a superuser resolved says so, and is not the coordinator\'s to change', async () => {
    const { page } = coord;
    const { root } = people;
    const settled = 'Settled by the administrator: the volunteer was called.';
    await root.collection('sync_conflicts').update(made.rejected.conflict, { status: 'resolved', resolution: settled });
    const c = await people.coordinator.pb.collection('sync_conflicts').getOne(made.rejected.conflict);
    assert.equal(c.resolved_by, '', 'a superuser is no users record');
    assert.ok(c.resolved_by_superuser, 'the superuser who resolved it is named');
    await go(page, '#/conflicts', '#records');
    await go(page, `#/conflicts/${made.rejected.conflict}`, '#resolved-by-admin');
    const by = await page.locator('#resolution .resolved-by').textContent();
    assert.ok(by.includes('администратор'), `"${by}" says an administrator resolved it`);
    assert.equal(await page.locator('#resolution .f-resolution').textContent(), settled);
    assert.equal(await page.locator('#in-resolution').count(), 0, 'nothing to reword');
    assert.equal(await page.locator('#act-reopen-conflict').count(), 0, 'nor to reopen');
    assert.deepEqual(cspErrors(coord), []);
  });

  test('a request\'s history names the organization assigned, the district, the requester and the report', async () => {
    const { page } = coord;
    const { root } = people;
    const org = await root.collection('organizations').create({
      name: 'Batken Relief', kind: 'humanitarian', region: 'batken', country: 'kg', active: true,
    });
    const district = (await root.collection('districts').getList(1, 1, { filter: "region = 'batken'", sort: 'code' })).items[0];
    const aid = await people.volunteerA.pb.collection('aid_requests').create({
      requester: people.volunteerA.id, region: 'batken', district: district.id, needs: ['food'], urgency: 'high',
      related_incident: made.plain.id,
    });
    await go(page, `#/aid/${aid.id}`, '#in-assigned_org');
    await page.selectOption('#in-assigned_org', org.id);
    await page.click('#act-assign');
    await page.locator('#record-fields .f-assigned_org', { hasText: org.name }).waitFor();
    await page.click('#history summary');
    const newest = page.locator('#history-list > li').first();
    const assigned = newest.locator('li[data-field="assigned_org"]');
    await assigned.waitFor();
    assert.equal(await assigned.locator('.old').textContent(), '—');
    assert.equal(await assigned.locator('.new').textContent(), org.name, 'the organization by its name, not its id');
    // the request as written: names in the coordinator's language (Russian)
    const created = page.locator('#history-list > li[data-rev="1"]');
    assert.equal(await created.locator('li[data-field="district"] .new').textContent(), district.name_ru);
    assert.equal(await created.locator('li[data-field="requester"] .new').textContent(), 'Volunteer A');
    const report = await created.locator('li[data-field="related_incident"] .new').textContent();
    assert.ok(report.includes('Kok-Tash, near the school') && !report.includes(made.plain.id), report);
    // as the API holds it: ids
    const rows = await people.coordinator.pb.collection('record_history').getList(1, 50, {
      filter: `collection = 'aid_requests' && record_id = '${aid.id}'`, sort: '-seq',
    });
    assert.deepEqual(rows.items[0].diff.assigned_org, { old: '', new: org.id });
    // the names of a page: one list request per collection
    const bodies = await apiBodies(coord);
    const lookups = (c, id) => bodies.filter((b) => b.url.includes(`/api/collections/${c}/records?`) && b.url.includes(id)).length;
    assert.equal(lookups('organizations', org.id), 1);
    assert.equal(lookups('districts', district.id), 1);
    assert.equal(lookups('users', people.volunteerA.id), 1);
    assert.equal(lookups('incident_reports', made.plain.id), 1);
    assert.deepEqual(cspErrors(coord), []);
  });

  test('the history of a report shows the coordinator\'s status change', async () => {
    const s = coord;
    const { page } = s;
    await go(page, `#/reports/${made.plain.id}`, '#act-take');
    assert.equal(await page.locator('#history').getAttribute('open'), null, 'collapsed by default');
    await page.click('#act-take');
    await page.locator('#act-verify').waitFor();
    await page.click('#history summary');
    const newest = page.locator('#history-list > li').first();
    await newest.locator('li[data-field="status"]').waitFor();
    const statuses = labelsRu.collections.incident_reports.fields.status.values;
    assert.equal(await newest.locator('li[data-field="status"] .old').textContent(), statuses.submitted);
    assert.equal(await newest.locator('li[data-field="status"] .new').textContent(), statuses.in_review);
    assert.equal(await newest.locator('.actor').textContent(), 'Coordinator');
    // as the API holds it
    const rows = await people.coordinator.pb.collection('record_history').getList(1, 50, {
      filter: `collection = '${R}' && record_id = '${made.plain.id}'`, sort: '-seq',
    });
    assert.equal(rows.items[0].actor, people.coordinator.id);
    assert.deepEqual(rows.items[0].diff.status, { old: 'submitted', new: 'in_review' });
    assert.equal(await page.locator('#history-list > li').count(), rows.items.length, 'every row, newest first');
    assert.equal(await page.locator('#history-list > li').nth(rows.items.length - 1).getAttribute('data-rev'), '1');
    assert.deepEqual(cspErrors(s), []);
    await s.context.close();
  });

  test('an editor does not see a report\'s conflict', async () => {
    editor = await signIn(people.editor.email);
    const { page } = editor;
    await page.click('#tabs a[href="#/conflicts"]');
    await page.locator('.chips [data-key="all"]').click();
    await page.locator('.chips [data-key="all"].on').waitFor();
    assert.deepEqual(await listed(page), [], 'no conflict listed');
    await go(page, `#/conflicts/${made.plain.conflict}`, '#flash.error');
    assert.equal(await page.locator('#compare').count(), 0);
    const bodies = await apiBodies(editor);
    assert.equal(bodies.find((b) => b.url.includes(`/sync_conflicts/records/${made.plain.conflict}`))?.status, 404);
    for (const secret of [made.plain.conflict, made.anon.conflict, plain.lost, hidden.lost]) {
      const leak = bodies.find((b) => b.body.includes(secret) && !b.url.includes(secret));
      assert.equal(leak, undefined, `${leak?.url} sent ${secret}`);
      assert.ok(!(await page.locator('main').innerText()).includes(secret));
    }
  });

  test('an update\'s history names the reports an editor may read; a report reopened since stays an id', async () => {
    const { page } = editor;
    const incidents = people.coordinator.pb.collection('incident_reports');
    const [kept, reopened] = await Promise.all([1, 2].map(() => verifiedReport('Kara-Bak, house')));
    const update = await people.editor.pb.collection('updates').create({
      title: 'Two houses hit in Kara-Bak', body: 'Two houses were hit on Tuesday.', language: 'en', region: 'batken',
      status: 'published', author: people.editor.id, related_incidents: [kept.id, reopened.id],
    });
    await incidents.update(reopened.id, { status: 'in_review' }); // editors read verified reports only
    await go(page, `#/updates/${update.id}`, '#history');
    await page.click('#history summary');
    const created = page.locator('#history-list > li[data-rev="1"]');
    const related = created.locator('li[data-field="related_incidents"] .new');
    await related.waitFor();
    const text = await related.textContent();
    assert.ok(text.includes(kept.place) && !text.includes(kept.id), `the verified report by its name: ${text}`);
    assert.ok(text.includes(reopened.id) && !text.includes(reopened.place), `the one the editor may not read by its id: ${text}`);
    assert.equal(await created.locator('li[data-field="author"] .new').textContent(), 'Editor');

    // verified again, the report is the editor's to read: the next refresh
    // of the history, still open (a language chosen to translate into keeps
    // the page), names it in the rows already listed
    await page.selectOption('#in-translate-language', 'ru');
    await incidents.update(reopened.id, { status: 'verified', verified_by: people.coordinator.id, verification_note: 'Seen again.' });
    const before = await page.locator('#history-list > li').count();
    await people.editor.pb.collection('updates').update(update.id, { body: 'Two houses were hit on Tuesday night.' });
    await page.locator('#changed').waitFor();
    await page.locator(`#history-list > li:nth-child(${before + 1})`).waitFor();
    assert.equal(await page.locator('#history').getAttribute('open'), '', 'the history stays open');
    const again = await related.textContent();
    assert.ok(again.includes(reopened.place) && !again.includes(reopened.id), `the report verified again by its name: ${again}`);
    assert.ok(again.includes(kept.place), again);
    assert.deepEqual(cspErrors(editor), []);
  });

  test('an editor translates a published update into Russian', async () => {
    const { page } = editor;
    const incidents = people.coordinator.pb.collection('incident_reports');
    const [seen, reopened] = await Promise.all([1, 2].map(() => verifiedReport('Kok-Tash, post')));
    const original = await people.editor.pb.collection('updates').create({
      title: 'Crossings at Kok-Tash closed', body: 'The border crossing is closed until further notice.',
      language: 'en', region: 'batken', status: 'published', author: people.editor.id, related_incidents: [seen.id, reopened.id],
    });
    await incidents.update(reopened.id, { status: 'in_review' }); // the editor reads it no more
    const posts = [];
    const onRequest = (req) => {
      if (req.method() === 'POST' && req.url().includes('/api/collections/updates/records')) posts.push(req.postDataJSON());
    };
    page.on('request', onRequest);
    await go(page, `#/updates/${original.id}`, '#translations');
    assert.equal(await page.locator('#translations li').count(), 1);
    await page.selectOption('#in-translate-language', 'ru');
    await page.click('#act-translate');
    await page.locator('#edit-form').waitFor();
    const draftId = new URL(page.url()).hash.split('/')[2];
    // the server gives the translation the original's shared values, the
    // report the editor may not read too: the screen sends none of them
    assert.equal(posts.length, 1);
    assert.ok(!('region' in posts[0]) && !('related_incidents' in posts[0]), `sent ${JSON.stringify(posts[0])}`);
    page.off('request', onRequest);
    const created = await people.editor.pb.collection('updates').getOne(draftId);
    assert.equal(created.region, 'batken', 'the original\'s region');
    assert.deepEqual(created.related_incidents, [seen.id, reopened.id], 'the original\'s related reports, all of them');
    assert.equal(await page.inputValue('#in-title'), original.title, 'prefilled with the original\'s text');
    assert.equal(await page.inputValue('#in-body'), original.body);
    assert.equal(await page.inputValue('#in-language'), 'ru');
    await page.fill('#in-title', 'Переход в Кок-Таше закрыт');
    await page.fill('#in-body', 'Пограничный переход закрыт до особого распоряжения.');
    await page.click('#save');
    await page.locator('#translations').waitFor();
    let draft = await people.editor.pb.collection('updates').getOne(draftId);
    assert.equal(draft.translation_of, original.id);
    assert.equal(draft.language, 'ru');
    assert.equal(draft.status, 'draft');
    assert.equal(draft.author, people.editor.id);
    assert.equal(draft.title, 'Переход в Кок-Таше закрыт');
    // the group from the translation's page; a translation of it is the
    // original's (one level)
    assert.deepEqual(await page.locator('#translations li').evaluateAll((lis) => lis.map((li) => li.dataset.language).sort()), ['en', 'ru']);
    const offered = await page.locator('#in-translate-language option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(!offered.includes('en') && !offered.includes('ru'), `offers ${offered}`);
    await page.selectOption('#in-translate-language', 'tg');
    await page.click('#act-translate');
    await page.locator('#edit-form').waitFor();
    const tgId = new URL(page.url()).hash.split('/')[2];
    draft = await people.editor.pb.collection('updates').getOne(tgId);
    assert.equal(draft.translation_of, original.id, 'translation_of names the original, not the translation');
    assert.equal(draft.language, 'tg');

    // the original is corrected: both translations fall behind, and say so
    await people.editor.pb.collection('updates').update(original.id, { body: 'The crossing reopens on Monday at 08:00.' });
    await go(page, `#/updates/${draftId}`, '#outdated');
    const marked = await page.locator('#translations li:has(.s-outdated)').evaluateAll((lis) => lis.map((li) => li.dataset.language).sort());
    assert.deepEqual(marked, ['ru', 'tg'], 'the group shows which versions are out of date');
    await page.click('#act-current');
    await page.locator('#outdated').waitFor({ state: 'detached' });
    assert.equal((await people.editor.pb.collection('updates').getOne(draftId)).outdated, false, 'marked up to date');
    // editing a translation's text brings it in line
    await go(page, `#/updates/${tgId}/edit`, '#edit-form');
    await page.fill('#in-body', 'Гузаргоҳ рӯзи душанбе соати 08:00 кушода мешавад.');
    await page.click('#save');
    await page.locator('#translations').waitFor();
    assert.equal(await page.locator('#outdated').count(), 0);
    assert.equal((await people.editor.pb.collection('updates').getOne(tgId)).outdated, false, 'edited, so up to date');
    assert.deepEqual(cspErrors(editor), []);
  });

  test('a translation\'s form shows its original\'s region, reports and platform read-only, linked to it', async () => {
    const { page } = editor;
    const report = await verifiedReport('Ak-Sai, house');
    const updates = people.editor.pb.collection('updates');
    const original = await updates.create({
      title: 'House hit in Ak-Sai', body: 'A house was hit on Friday.', language: 'en', region: 'batken',
      status: 'draft', author: people.editor.id, related_incidents: [report.id],
    });
    const ru = await updates.create({
      translation_of: original.id, title: 'Попадание в дом в Ак-Сае', body: 'В пятницу снаряд попал в дом.',
      language: 'ru', status: 'draft', author: people.editor.id,
    });
    const patches = [];
    page.on('request', (req) => {
      if (req.method() === 'PATCH' && req.url().includes(`/api/collections/updates/records/${ru.id}`)) patches.push(req.postDataJSON());
    });
    await go(page, `#/updates/${ru.id}/edit`, '#edit-form');
    assert.equal(await page.inputValue('#in-region'), 'batken', 'the original\'s region');
    assert.equal(await page.locator('#in-region').isDisabled(), true, 'a translation\'s region is offered for editing');
    const boxes = page.locator('#in-related_incidents input');
    assert.equal(await boxes.count(), 1, 'the verified reports are offered to choose from');
    assert.equal(await boxes.first().getAttribute('value'), report.id);
    assert.equal(await boxes.first().isChecked(), true);
    assert.equal(await boxes.first().isDisabled(), true, 'a translation\'s reports are offered for editing');
    const notes = page.locator('.follows-original');
    assert.deepEqual(await notes.evaluateAll((ps) => ps.map((p) => p.dataset.field)), ['region', 'related_incidents']);
    assert.match(await notes.first().textContent(), /has its original's value here/);
    assert.equal(await notes.first().locator('a').getAttribute('href'), `#/updates/${original.id}`);
    // a text correction saves; the form sends none of the original's fields
    await page.fill('#in-title', 'Снаряд попал в дом в Ак-Сае');
    await page.click('#save');
    await page.locator('#translations').waitFor();
    assert.equal(patches.length, 1);
    assert.ok(!('region' in patches[0]) && !('related_incidents' in patches[0]), `sent ${JSON.stringify(patches[0])}`);
    const saved = await updates.getOne(ru.id);
    assert.equal(saved.title, 'Снаряд попал в дом в Ак-Сае');
    assert.equal(saved.region, 'batken');
    assert.deepEqual(saved.related_incidents, [report.id]);
    // the note's link opens the original
    await go(page, `#/updates/${ru.id}/edit`, '#edit-form');
    await page.click('.follows-original[data-field="region"] a');
    await page.locator('#act-publish').waitFor();
    assert.equal(new URL(page.url()).hash, `#/updates/${original.id}`);

    // the original corrected while the translation's form is open with text
    // typed: the text is kept, the read-only fields show the new values
    const other = await verifiedReport('Ak-Sai, school');
    await go(page, `#/updates/${ru.id}/edit`, '#edit-form');
    await page.fill('#in-title', 'Снаряд попал в дом в Ак-Сае, в пятницу');
    await updates.update(original.id, { region: 'sughd', related_incidents: [report.id, other.id] });
    await page.locator('#changed').waitFor();
    await page.waitForFunction(() => document.querySelector('#in-region')?.value === 'sughd'
      && document.querySelectorAll('#in-related_incidents input').length === 2, null, { timeout: 10000 })
      .catch(() => {});
    assert.equal(await page.inputValue('#in-region'), 'sughd', 'the original\'s new region');
    assert.deepEqual(await boxes.evaluateAll((is) => is.map((i) => [i.value, i.checked, i.disabled])),
      [[report.id, true, true], [other.id, true, true]], 'the original\'s reports now, read-only');
    assert.equal(await page.inputValue('#in-title'), 'Снаряд попал в дом в Ак-Сае, в пятницу', 'what was typed is kept');
    await page.click('#save');
    await page.locator('#translations').waitFor();
    assert.equal(patches.length, 2);
    assert.ok(!('region' in patches[1]) && !('related_incidents' in patches[1]), `sent ${JSON.stringify(patches[1])}`);
    const followed = await updates.getOne(ru.id);
    assert.equal(followed.title, 'Снаряд попал в дом в Ак-Сае, в пятницу');
    assert.equal(followed.region, 'sughd');
    assert.deepEqual(followed.related_incidents, [report.id, other.id]);

    // a fact-check's platform likewise
    const checks = people.editor.pb.collection('fact_checks');
    const claim = await checks.create({
      claim: 'The crossing is mined.', platform: 'telegram', verdict: 'false', explanation: 'No mines were found.',
      language: 'en', status: 'draft', author: people.editor.id,
    });
    const claimRu = await checks.create({
      translation_of: claim.id, claim: 'Переход заминирован.', verdict: 'false', explanation: 'Мин не нашли.',
      language: 'ru', status: 'draft', author: people.editor.id,
    });
    await go(page, `#/fact_checks/${claimRu.id}/edit`, '#edit-form');
    assert.equal(await page.inputValue('#in-platform'), 'telegram');
    assert.equal(await page.locator('#in-platform').isDisabled(), true, 'a translation\'s platform is offered for editing');
    assert.equal(await page.locator('.follows-original[data-field="platform"] a').getAttribute('href'), `#/fact_checks/${claim.id}`);
    await page.fill('#in-claim', 'Переход будто бы заминирован.');
    await checks.update(claim.id, { platform: 'whatsapp' });
    await page.locator('#changed').waitFor();
    await page.waitForFunction(() => document.querySelector('#in-platform')?.value === 'whatsapp', null, { timeout: 10000 })
      .catch(() => {});
    assert.equal(await page.inputValue('#in-platform'), 'whatsapp', 'the original\'s new platform');
    assert.equal(await page.inputValue('#in-claim'), 'Переход будто бы заминирован.', 'what was typed is kept');
    // an original's form is as before
    await go(page, `#/fact_checks/${claim.id}/edit`, '#edit-form');
    assert.equal(await page.locator('#in-platform').isEnabled(), true);
    assert.equal(await page.locator('.follows-original').count(), 0);
    assert.deepEqual(cspErrors(editor), []);
    await editor.context.close();
  });
});
