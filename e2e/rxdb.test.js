// A real third-party sync client against the real server: RxDB 17's
// replicateRxCollection with memory storage, speaking Aman's sync protocol
// v1 through the adapter in lib/rx-device.js. Two volunteers' phones and an
// anonymous reader's phone go offline, edit, come back, and must end up
// agreeing with the server without losing anything anyone wrote.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { message } from './lib/catalog.js';
import { startServer } from './lib/server.js';
import { createPeople, newId, newReport } from './lib/people.js';
import { Device } from './lib/rx-device.js';
import { incidentReports, publicIncidents, updates } from './lib/schemas.js';

let server;
let people;
const devices = {};

before(async () => {
  server = await startServer();
  people = await createPeople(server);
});

after(async () => {
  if (process.env.AMAN_E2E_TRACE) {
    // Every request and answer of every device, to read what the server said.
    mkdirSync(join(dirname(fileURLToPath(import.meta.url)), 'test-results'), { recursive: true });
    const trace = Object.fromEntries(Object.values(devices).map((d) => [d.name, d.protocol.exchanges]));
    writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'test-results', 'rxdb-exchanges.json'),
      JSON.stringify(trace, null, 1));
  }
  for (const d of Object.values(devices)) await d.close().catch(() => {});
  await server?.stop();
});

async function phone(name, person) {
  const d = new Device({ name, url: server.url, token: person.token, schemas: { incident_reports: incidentReports } });
  devices[name] = d;
  return d.open();
}

// serverReport reads a report as the superuser (the ground truth).
function serverReport(id) {
  return people.root.collection('incident_reports').getOne(id);
}

async function serverReportsOf(userId) {
  return people.root.collection('incident_reports').getFullList({
    filter: people.root.filter('reporter = {:id}', { id: userId }),
  });
}

// statusesSince returns the push statuses a device received from index on.
function statusesSince(device, from) {
  return device.results.slice(from).map(({ mutation, result }) => `${mutation.recordId}:${result.status}`);
}

// kept returns the one sync_conflicts record (read by the coordinator, as
// in the dashboard) that preserves what the device sent for recordId with
// the given kind ('conflict' or 'rejected').
async function kept(recordId, kind) {
  const found = await people.coordinator.pb.collection('sync_conflicts').getFullList({
    filter: people.coordinator.pb.filter('record_id = {:id} && kind = {:kind}', { id: recordId, kind }),
  });
  assert.equal(found.length, 1, `sync_conflicts for ${recordId} (${kind}): ${JSON.stringify(found)}`);
  assert.equal(found[0].status, 'open');
  return found[0];
}

// Shared state of the scenario: each step builds on the previous one.
const s = {};

describe('RxDB 17 over sync protocol v1', () => {
  test('phones come online and upload their first reports', async () => {
    const a = await phone('phone-a', people.volunteerA);
    const b = await phone('phone-b', people.volunteerB);
    s.a1 = newReport(people.volunteerA.id, { region: 'sughd', place: 'Vorukh, the upper bridge' });
    s.b1 = newReport(people.volunteerB.id);
    await a.db.incident_reports.insert(s.a1);
    await b.db.incident_reports.insert(s.b1);
    await a.sync();
    await b.sync();

    assert.deepEqual(statusesSince(a, 0), [`${s.a1.id}:applied`]);
    assert.deepEqual(statusesSince(b, 0), [`${s.b1.id}:applied`]);
    const onServer = await serverReport(s.a1.id);
    assert.equal(onServer.reporter, people.volunteerA.id);
    assert.equal(onServer.place, 'Vorukh, the upper bridge');
    const onPhone = await a.doc('incident_reports', s.a1.id);
    assert.ok(Number.isInteger(onPhone.rev) && onPhone.rev >= 1, `rev on the phone: ${onPhone.rev}`);
    assert.equal(onPhone.status, 'submitted', 'the phone learned the server-set status');
    // A record travels in the shape the record API gives this user, plus rev.
    const pulled = a.protocol.exchanges.filter((e) => e.method === 'GET')
      .flatMap((e) => e.response.changes ?? []).find((c) => c.id === s.a1.id);
    const { rev, ...shape } = pulled.record;
    assert.equal(rev, pulled.rev);
    assert.deepEqual(shape, await people.volunteerA.pb.collection('incident_reports').getOne(s.a1.id));
    // Each phone holds its own volunteer's report and never the other's.
    assert.deepEqual((await a.docs('incident_reports')).map((d) => d.id), [s.a1.id]);
    assert.deepEqual((await b.docs('incident_reports')).map((d) => d.id), [s.b1.id]);
  });

  test('offline edits on both sides: a merge and a conflict, nothing lost', async () => {
    const a = devices['phone-a'];
    const b = devices['phone-b'];
    a.goOffline();
    b.goOffline();
    // On the phones, offline.
    await (await a.db.incident_reports.findOne(s.a1.id).exec())
      .incrementalPatch({ description: 'Three explosions; one house hit, nobody inside.' });
    s.a2 = newReport(people.volunteerA.id, { category: 'displacement', description: 'Families leaving by bus.' });
    await a.db.incident_reports.insert(s.a2);
    await (await b.db.incident_reports.findOne(s.b1.id).exec())
      .incrementalPatch({ place: 'Kok-Tash, behind the school' });
    // Meanwhile on the server: a coordinator adds a review note to A's
    // report (another field: merge), an administrator corrects the place of
    // B's report in the dashboard (the same field: conflict).
    await people.coordinator.pb.collection('incident_reports')
      .update(s.a1.id, { verification_note: 'Called the reporter back.' });
    await people.root.collection('incident_reports')
      .update(s.b1.id, { place: 'Kok-Tash village centre' });

    const fromA = a.results.length;
    const fromB = b.results.length;
    a.goOnline();
    b.goOnline();
    await a.sync();
    await b.sync();

    assert.deepEqual(statusesSince(a, fromA).sort(), [`${s.a1.id}:merged`, `${s.a2.id}:applied`].sort());
    const a1 = await serverReport(s.a1.id);
    assert.equal(a1.description, 'Three explosions; one house hit, nobody inside.');
    assert.equal(a1.verification_note, 'Called the reporter back.');
    const a1Phone = await a.doc('incident_reports', s.a1.id);
    assert.equal(a1Phone.description, a1.description);
    assert.equal((await serverReport(s.a2.id)).description, 'Families leaving by bus.');

    assert.deepEqual(statusesSince(b, fromB), [`${s.b1.id}:conflict`]);
    const b1 = await serverReport(s.b1.id);
    assert.equal(b1.place, 'Kok-Tash village centre', 'the server value stays');
    const b1Phone = await b.doc('incident_reports', s.b1.id);
    assert.equal(b1Phone.place, 'Kok-Tash village centre', 'the phone converged on the server value');
    const lost = await kept(s.b1.id, 'conflict');
    assert.equal(lost.data.place, 'Kok-Tash, behind the school', 'the losing value is kept for a coordinator');
    assert.deepEqual(lost.fields, ['place']);
    assert.equal(lost.server_state?.place, 'Kok-Tash village centre');
    // Both phones agree with the server on every report they hold.
    for (const [d, who] of [[a, people.volunteerA], [b, people.volunteerB]]) {
      const phoneDocs = await d.docs('incident_reports');
      const serverDocs = await serverReportsOf(who.id);
      assert.deepEqual(phoneDocs.map((x) => x.id).sort(), serverDocs.map((x) => x.id).sort());
      for (const doc of phoneDocs) {
        const srv = serverDocs.find((x) => x.id === doc.id);
        assert.equal(doc.description, srv.description);
        assert.equal(doc.place, srv.place);
        assert.equal(doc.updated, srv.updated, `phone copy of ${doc.id} is stale`);
      }
    }
    // The coordinator sees who sent it: B's report is not anonymous.
    assert.equal(lost.user, people.volunteerB.id, 'the coordinator sees which volunteer lost the conflict');
  });

  test('a deleted report leaves the phone; a refused delete does not jam the queue', async () => {
    const a = devices['phone-a'];
    // An administrator deletes a report in the dashboard.
    await people.root.collection('incident_reports').delete(s.a2.id);
    await a.sync();
    assert.equal(await a.doc('incident_reports', s.a2.id), null);
    assert.deepEqual((await a.docs('incident_reports')).map((d) => d.id), [s.a1.id]);

    // Volunteers may not delete (coordinators archive): the phone's delete is
    // refused, the report comes back, and a new report in the same upload
    // goes through.
    const from = a.results.length;
    a.goOffline();
    await (await a.db.incident_reports.findOne(s.a1.id).exec()).remove();
    s.a3 = newReport(people.volunteerA.id, { category: 'detention', description: 'Two men detained at the checkpoint.' });
    await a.db.incident_reports.insert(s.a3);
    a.goOnline();
    await a.sync();
    assert.deepEqual(statusesSince(a, from).sort(), [`${s.a1.id}:rejected`, `${s.a3.id}:applied`].sort());
    const rejection = a.rejections.at(-1);
    assert.equal(rejection.error?.code, 'sync_forbidden', JSON.stringify(rejection));
    assert.ok((await serverReport(s.a1.id)).id, 'the report still exists on the server');
    assert.ok(await a.doc('incident_reports', s.a1.id), 'the refused delete was rolled back on the phone');
    assert.ok(await serverReport(s.a3.id));
    assert.equal((await kept(s.a1.id, 'rejected')).delete, true, 'the refused delete is kept in sync_conflicts');
    // Volunteer A's profile language is Tajik.
    assert.equal(rejection.error.message, message('tg', 'sync_forbidden'), 'the refusal is explained in Tajik');
  });

  test('a retracted update leaves the reader\'s phone', async () => {
    // An older app version: it predates the `sources` field of updates.
    const olderUpdates = structuredClone(updates);
    delete olderUpdates.properties.sources;
    const reader = new Device({
      name: 'reader', url: server.url, schemas: { updates: olderUpdates, public_incidents: publicIncidents }, push: false,
    });
    devices.reader = reader;
    await reader.open();
    const editor = people.editor.pb.collection('updates');
    const published = await editor.create({
      title: 'Water supply restored in Vorukh', body: 'Confirmed by the local council and two residents.',
      language: 'en', region: 'sughd', status: 'published', published_at: '2026-11-27 08:00:00.000Z',
      author: people.editor.id,
    });
    const draft = await editor.create({
      title: 'Unconfirmed: road closed', body: 'Waiting for a second source.', language: 'en',
      status: 'draft', author: people.editor.id,
    });
    s.draft = draft.id;
    await reader.sync();
    const seen = await reader.docs('updates');
    assert.deepEqual(seen.map((d) => d.id), [published.id], 'the reader gets published updates only');
    assert.equal(seen[0].title, 'Water supply restored in Vorukh');
    assert.ok(!('sources' in seen[0]), 'a field unknown to this app version is ignored, not fatal');
    assert.ok(!seen.some((d) => d.id === draft.id));

    await editor.update(published.id, { status: 'retracted' });
    await reader.sync();
    assert.deepEqual(await reader.docs('updates'), [], 'the retracted update left the reader\'s phone');
    const last = reader.protocol.exchanges.filter((e) => e.path.startsWith('/api/sync/v1/pull?collections=updates&'))
      .at(-1);
    const gone = last.response.changes?.find((c) => c.id === published.id);
    assert.deepEqual(Object.keys(gone ?? {}).sort(), ['collection', 'deleted', 'id', 'rev'],
      `a retraction travels as a bare tombstone: ${JSON.stringify(gone)}`);
  });

  test('an editor\'s laptop drafts offline, deletes one draft and publishes another', async () => {
    const laptop = new Device({ name: 'editor-laptop', url: server.url, token: people.editor.token, schemas: { updates } });
    devices['editor-laptop'] = laptop;
    await laptop.open();
    const reader = devices.reader;
    laptop.goOffline();
    const draft = (title) => ({
      id: newId(), title, body: 'Two sources confirm; details to follow.', language: 'ru', region: 'sughd',
      status: 'draft', author: people.editor.id,
    });
    const keep = draft('Мост в Ворухе открыт');
    const drop = draft('Unconfirmed: curfew in Isfara');
    await laptop.db.updates.bulkInsert([keep, drop]);
    laptop.goOnline();
    await laptop.sync();
    await (await laptop.db.updates.findOne(drop.id).exec()).remove();
    await (await laptop.db.updates.findOne(keep.id).exec())
      .incrementalPatch({ status: 'published', published_at: '2026-11-27 10:00:00.000Z' });
    await laptop.sync();

    const results = laptop.results.map((r) => `${r.mutation.recordId}:${r.mutation.delete ? 'delete' : 'write'}:${r.result.status}`);
    assert.deepEqual(results.sort(), [`${keep.id}:write:applied`, `${keep.id}:write:applied`,
      `${drop.id}:write:applied`, `${drop.id}:delete:applied`].sort());
    const editor = people.editor.pb.collection('updates');
    assert.equal((await editor.getOne(keep.id)).status, 'published');
    await assert.rejects(editor.getOne(drop.id), (err) => err.status === 404, 'the deleted draft is gone');
    await reader.sync();
    assert.equal((await reader.doc('updates', keep.id))?.title, 'Мост в Ворухе открыт');
    assert.equal(await reader.doc('updates', drop.id), null);
  });

  test('the realtime nudge brings a new update to a live reader without asking', async () => {
    const live = new Device({ name: 'reader-live', url: server.url, schemas: { updates }, push: false, live: true });
    devices['reader-live'] = live;
    await live.open();
    await live.sync(); // settle the pull that the connection itself triggers
    const nudgesBefore = live.realtime.nudges;
    const pullsBefore = live.pulls;
    const update = await people.editor.pb.collection('updates').create({
      title: 'Checkpoint at Kayragach open again', body: 'Traffic resumed at 09:30 local time.',
      language: 'en', region: 'batken', status: 'published', author: people.editor.id,
    });
    const deadline = Date.now() + 10000;
    while (!(await live.doc('updates', update.id)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(await live.doc('updates', update.id), 'the live reader got the update within 10 s of publication');
    assert.ok(live.realtime.nudges > nudgesBefore, 'a nudge arrived');
    assert.ok(live.pulls > pullsBefore, 'the nudge made the device pull');
  });

  test('a lost push response is retried without a duplicate', async () => {
    const a = devices['phone-a'];
    const before = (await serverReportsOf(people.volunteerA.id)).length;
    const pushesBefore = a.protocol.pushes().length;
    s.a4 = newReport(people.volunteerA.id, { category: 'casualties', injured: 2, description: 'Two injured brought to the clinic.' });
    a.loseNextPushResponse();
    await a.db.incident_reports.insert(s.a4);
    await a.sync();

    const pushes = a.protocol.pushes().slice(pushesBefore);
    assert.equal(pushes.length, 2, 'one push whose answer was lost, one retry');
    assert.deepEqual(pushes[1].request.mutations.map((m) => m.id), pushes[0].request.mutations.map((m) => m.id));
    assert.deepEqual(pushes[1].response, pushes[0].response, 'the retry gets the answer of the first time');
    assert.equal(pushes[0].response.results[0].status, 'applied');
    const after = await serverReportsOf(people.volunteerA.id);
    assert.equal(after.length, before + 1);
    assert.equal(after.filter((r) => r.id === s.a4.id).length, 1);
    assert.equal((await a.doc('incident_reports', s.a4.id)).injured, 2);
  });

  test('a phone on 2G asks for brief push answers and learns the server\'s fields from its next pull', async () => {
    const c = new Device({ name: 'phone-a-2g', url: server.url, token: people.volunteerA.token,
      schemas: { incident_reports: incidentReports }, brief: true });
    devices[c.name] = c;
    await c.open();
    await c.sync();
    const report = newReport(people.volunteerA.id, { description: 'The road to the school is closed.' });
    await c.db.incident_reports.insert(report);
    await c.sync(); // the push, answered briefly
    await c.sync(); // the next pull brings the record

    const push = c.protocol.pushes().find((p) => p.request.mutations.some((m) => m.recordId === report.id));
    assert.ok(push.path.includes('brief=true'), push.path);
    const result = push.response.results.find((r) => r.recordId === report.id);
    assert.equal(result.status, 'applied');
    assert.equal(result.record, undefined, 'a brief answer leaves the record out');
    assert.ok(Number.isInteger(result.rev) && result.rev >= 1, `rev ${result.rev}`);
    const onPhone = await c.doc('incident_reports', report.id);
    assert.equal(onPhone.rev, result.rev);
    assert.equal(onPhone.status, 'submitted', 'the server-set status came with the pull');
    assert.equal(onPhone.description, report.description);
    assert.equal((await serverReport(report.id)).description, report.description);
  });

  test('an edit refused because review started rolls the phone back to the server\'s state', async () => {
    const b = devices['phone-b'];
    b.goOffline();
    await (await b.db.incident_reports.findOne(s.b1.id).exec())
      .incrementalPatch({ description: 'Correction: it was mortar fire, not artillery.' });
    await people.coordinator.pb.collection('incident_reports').update(s.b1.id, { status: 'in_review' });
    const from = b.results.length;
    b.goOnline();
    await b.sync();

    assert.deepEqual(statusesSince(b, from), [`${s.b1.id}:rejected`]);
    const onServer = await serverReport(s.b1.id);
    assert.equal(onServer.status, 'in_review');
    const refusal = b.results.at(-1).result;
    assert.equal(refusal.record?.status, 'in_review', 'the refusal carries the server\'s state, not only the next pull');
    assert.equal(refusal.record?.description, onServer.description);
    assert.equal(refusal.rev, refusal.record?.rev);
    assert.equal(onServer.description, 'Two explosions near the school around 14:00.');
    const onPhone = await b.doc('incident_reports', s.b1.id);
    assert.equal(onPhone.status, 'in_review', 'the phone shows that review started');
    assert.equal(onPhone.description, onServer.description, 'the phone rolled back to the server text');
    assert.equal(onPhone.rev, (await b.protocol.pull({ collections: ['incident_reports'] }))
      .changes.find((c) => c.id === s.b1.id).rev, 'the phone holds the server\'s rev');
    assert.equal((await kept(s.b1.id, 'rejected')).data.description, 'Correction: it was mortar fire, not artillery.',
      'the refused text is kept in sync_conflicts');
  });

  test('a verified report reaches readers as a public incident without who or where exactly', async () => {
    const a = devices['phone-a'];
    const reader = devices.reader;
    s.a5 = newReport(people.volunteerA.id, {
      region: 'sughd', place: 'Vorukh, 12 Navruz street', category: 'property_damage',
      location: { lon: 70.587312, lat: 39.853425 }, location_precision: 'exact',
      description: 'Roof of house 12 destroyed; the family moved to relatives.',
    });
    await a.db.incident_reports.insert(s.a5);
    await a.sync();
    const review = people.coordinator.pb.collection('incident_reports');
    await review.update(s.a5.id, { status: 'in_review' });
    await review.update(s.a5.id, {
      status: 'verified', verified_by: people.coordinator.id, verified_at: '2026-11-27 09:00:00.000Z',
      verification_note: 'Photos and two neighbours confirm.', public_summary: 'A house was damaged by shelling in Vorukh.',
    });
    await reader.sync();
    const seen = await reader.doc('public_incidents', s.a5.id);
    assert.ok(seen, 'the reader\'s phone has the public incident');
    assert.equal(seen.public_summary, 'A house was damaged by shelling in Vorukh.');
    assert.equal(seen.occurred_on, '2026-11-26');
    assert.deepEqual(seen.location, { lon: 70.59, lat: 39.85 });
    for (const secret of ['reporter', 'description', 'place', 'verification_note', 'verified_by']) {
      assert.ok(!(secret in seen), `public incident carries ${secret}`);
    }
    const wire = JSON.stringify(reader.protocol.exchanges);
    for (const secret of [people.volunteerA.id, '12 Navruz street', '70.587312', 'Roof of house 12']) {
      assert.ok(!wire.includes(secret), `the reader's phone received ${secret}`);
    }
    await a.sync();
    assert.equal((await a.doc('incident_reports', s.a5.id)).status, 'verified', 'the reporter sees the verdict');

    // Reopened for review: it leaves the public view and the reader's phone.
    await review.update(s.a5.id, { status: 'in_review' });
    await reader.sync();
    assert.equal(await reader.doc('public_incidents', s.a5.id), null);
  });

  test('one invalid report among 100 written offline does not hold back the other 99', async () => {
    const a = devices['phone-a'];
    const before = (await serverReportsOf(people.volunteerA.id)).length;
    const from = a.results.length;
    a.goOffline();
    const batch = Array.from({ length: 100 }, (_, i) => newReport(people.volunteerA.id, {
      description: `Queued report ${i} from a day without signal.`,
      category: i === 37 ? 'riot' : 'gunfire',
    }));
    await a.db.incident_reports.bulkInsert(batch);
    a.goOnline();
    await a.sync();

    const results = a.results.slice(from).map((r) => r.result);
    assert.equal(results.length, 100);
    assert.equal(results.filter((r) => r.status === 'applied').length, 99);
    const bad = results.find((r) => r.status === 'rejected');
    assert.equal(bad?.recordId, batch[37].id);
    assert.equal(bad.error?.code, 'sync_validation_failed', JSON.stringify(bad));
    assert.equal(bad.error.fields?.category?.code, 'validation_invalid_value', JSON.stringify(bad.error));
    assert.equal((await serverReportsOf(people.volunteerA.id)).length, before + 99);
    assert.equal(await a.doc('incident_reports', batch[37].id), null, 'the refused report left the phone');
    const refused = await kept(batch[37].id, 'rejected');
    assert.equal(refused.data.description, 'Queued report 37 from a day without signal.',
      'the refused report is kept in sync_conflicts');
    // Volunteer A's profile language is Tajik.
    assert.equal(bad.error.message, message('tg', 'sync_validation_failed'), 'explained in Tajik');
    assert.equal(bad.error.fields.category.message, message('tg', 'validation_invalid_value'));
    const uploads = a.protocol.pushes().filter((p) => p.request.mutations.length >= 50);
    assert.ok(uploads.length > 0 && uploads.every((p) => p.requestWireBytes * 3 < p.requestBytes),
      `the queue was uploaded gzip-compressed: ${uploads.map((p) => `${p.requestWireBytes}/${p.requestBytes}`)}`);
    s.bulk = batch;
  });

  test('a new phone of the same volunteer restores every report, page by page', async () => {
    const fresh = await phone('phone-a-new', people.volunteerA);
    const onServer = await serverReportsOf(people.volunteerA.id);
    assert.ok(onServer.length > 100, 'more than one page');
    const docs = await fresh.docs('incident_reports');
    assert.deepEqual(docs.map((d) => d.id).sort(), onServer.map((r) => r.id).sort());
    const pages = fresh.protocol.exchanges.filter((e) => e.method === 'GET');
    assert.ok(pages.some((p) => p.response.hasMore === true), 'the server paged the initial sync');
    assert.ok(pages.every((p) => p.encoding === 'gzip'), 'pages travel gzip-compressed');
  });

  test('a phone never hears of records outside its user\'s view, not even their ids', () => {
    const pulled = (d) => JSON.stringify(d.protocol.exchanges.filter((e) => e.method === 'GET').map((e) => e.response));
    const fromA = pulled(devices['phone-a']);
    const fromB = pulled(devices['phone-b']);
    assert.ok(!fromA.includes(s.b1.id), `phone A was told about B's report ${s.b1.id}`);
    for (const r of [s.a1, s.a2, s.a3, s.a4]) {
      assert.ok(!fromB.includes(r.id), `phone B was told about A's report ${r.id}`);
    }
    assert.ok(!pulled(devices.reader).includes(s.draft), `the anonymous reader was told about draft ${s.draft}`);
  });

  test('a role change resets the phone: promoted it gets every report, demoted it keeps only its own', async () => {
    const b = devices['phone-b'];
    const users = people.root.collection('users');
    await users.update(people.volunteerB.id, { role: 'coordinator' });
    await b.sync();
    const resets = () => b.protocol.exchanges.filter((e) => e.response?.reset === true).length;
    assert.ok(resets() >= 1, 'the server answered the old checkpoint with reset');
    const all = await people.root.collection('incident_reports').getFullList();
    assert.deepEqual((await b.docs('incident_reports')).map((d) => d.id).sort(), all.map((r) => r.id).sort());

    const before = resets();
    await users.update(people.volunteerB.id, { role: 'volunteer' });
    await b.sync();
    assert.ok(resets() > before, 'the demotion reset the phone too');
    const own = await serverReportsOf(people.volunteerB.id);
    assert.deepEqual((await b.docs('incident_reports')).map((d) => d.id).sort(), own.map((r) => r.id).sort(),
      'after the demotion no other volunteer\'s report stays on the phone');
  });

  test('every replication error was one the test caused', async () => {
    for (const d of Object.values(devices)) {
      for (const e of d.errors) {
        const text = JSON.stringify(e.parameters?.errors ?? e.message);
        assert.match(text, /device offline|simulated: push response lost/, `${d.name}: unexpected error ${text}`);
      }
    }
  });
});

// Every device sent back the highest position it was given ("seen") with
// its pushes and pulls, RxDB running them side by side; on a server that
// was never restored, none was ever told of a restore.
test('positions sent back as seen never reset a device of a server that was not restored', () => {
  const all = Object.values(devices);
  assert.ok(all.length >= 3, `devices: ${all.length}`);
  for (const d of all) {
    assert.equal(d.protocol.history, 0, `${d.name} was told of a restore`);
    const withSeen = d.protocol.exchanges.filter((e) => e.path.includes('seen='));
    assert.ok(withSeen.length > 0, `${d.name} never sent seen`);
  }
});
