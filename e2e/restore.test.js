// A server restored from a backup, and RxDB phones that had sent reports
// after it: the phones keep a journal of what they sent and push it again
// when the server says it was restored (docs/sync.md, Epochs and Writing a
// client), so the restore loses nothing a volunteer submitted, and nothing
// is written twice. Its own server: the restore would pull the ground from
// under rxdb.test.js.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './lib/server.js';
import { createPeople, newReport } from './lib/people.js';
import { Device } from './lib/rx-device.js';
import { incidentReports } from './lib/schemas.js';

let server;
let people;
const devices = [];

before(async () => {
  server = await startServer();
  people = await createPeople(server);
});

after(async () => {
  for (const d of devices) await d.close().catch(() => {});
  await server?.stop();
});

async function phone(name, person) {
  const d = new Device({ name, url: server.url, token: person.token, schemas: { incident_reports: incidentReports } });
  devices.push(d);
  return d.open();
}

// onServer lists a volunteer's reports as the superuser sees them (the
// ground truth), by id.
async function onServer(person) {
  const all = await people.root.collection('incident_reports').getFullList({
    filter: people.root.filter('reporter = {:id}', { id: person.id }),
  });
  return new Map(all.map((r) => [r.id, r]));
}

test('a restored backup loses nothing the phones sent after it, and writes nothing twice', async () => {
  const a = await phone('restore-a', people.volunteerA);
  const b = await phone('restore-b', people.volunteerB);
  const a1 = newReport(people.volunteerA.id, { region: 'sughd', place: 'Vorukh' });
  await a.db.incident_reports.insert(a1);
  await a.sync();
  await b.sync();

  const backup = await server.snapshot();

  // after the backup: A files a second report and edits the first; B files
  // one, then goes offline and edits it there
  const a2 = newReport(people.volunteerA.id, { category: 'casualties', injured: 3, description: 'Three injured at the market.' });
  await a.db.incident_reports.insert(a2);
  await (await a.db.incident_reports.findOne(a1.id).exec()).incrementalPatch({ description: 'Two explosions; the school is closed.' });
  await a.sync();
  const b1 = newReport(people.volunteerB.id, { description: 'A checkpoint closed on the road to Isfana.' });
  await b.db.incident_reports.insert(b1);
  await b.sync();
  b.goOffline();
  await (await b.db.incident_reports.findOne(b1.id).exec()).incrementalPatch({ place: 'Isfana road, km 12' });
  a.goOffline();
  assert.ok((await onServer(people.volunteerA)).has(a2.id), 'setup: a2 reached the server');

  await server.restore(backup);
  const restored = await onServer(people.volunteerA);
  assert.ok(!restored.has(a2.id), 'the restore took a2 away');
  assert.equal(restored.get(a1.id).description, a1.description, 'the restore took the edit of a1 away');
  assert.ok(!(await onServer(people.volunteerB)).has(b1.id), 'the restore took b1 away');
  // an administrator corrects a1's place on the restored server: its rev takes
  // the number A's lost edit had, which A's queued edit names as its base
  await people.root.collection('incident_reports').update(a1.id, { place: 'Vorukh, market square' });

  // While A's reset pull runs, its volunteer moves a1 on from the rev A's
  // post-backup edit got. That edit goes with `lost`, is cut on the way,
  // and its retry, after the reset pull, must still say its base is from
  // before the restore.
  a.duringResetPull = async () => {
    a.duringResetPull = null;
    a.cutNextPush({ withLost: true });
    await (await a.db.incident_reports.findOne(a1.id).exec()).incrementalPatch({ place: 'Vorukh, the lower bridge' });
    // its push is sent and cut before the reset pull goes on
    for (const until = Date.now() + 10000; a.cuts.length > 0 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  a.goOnline();
  await a.sync();
  b.goOnline();
  await b.sync();

  // the server holds everything, once
  const ofA = await onServer(people.volunteerA);
  assert.deepEqual([...ofA.keys()].sort(), [a1.id, a2.id].sort());
  assert.equal(ofA.get(a1.id).description, 'Two explosions; the school is closed.');
  // both wrote a1's place since the base A's edit knew: a conflict, the
  // administrator's value stays and A's is kept for review, not overwritten
  // because a rev number was reused
  assert.equal(ofA.get(a1.id).place, 'Vorukh, market square');
  const placeConflict = a.results.find(({ mutation }) => mutation.recordId === a1.id && mutation.data.place === 'Vorukh, the lower bridge');
  assert.equal(placeConflict?.result.status, 'conflict', JSON.stringify(placeConflict));
  assert.deepEqual(placeConflict.result.fields, ['place']);
  const keptForReview = await people.root.collection('sync_conflicts').getOne(placeConflict.result.conflict);
  assert.equal(keptForReview.data.place, 'Vorukh, the lower bridge');
  const sends = a.protocol.pushes().filter((e) => e.request.mutations.some((m) => m.id === placeConflict.mutation.id));
  assert.ok(sends.length >= 1 && sends.every((e) => e.path.includes('lost=')), JSON.stringify(sends.map((e) => e.path)));
  assert.equal(a.cuts.length, 0, 'a send with lost was cut');
  assert.equal(ofA.get(a2.id).injured, 3);
  const ofB = await onServer(people.volunteerB);
  assert.deepEqual([...ofB.keys()], [b1.id]);
  assert.equal(ofB.get(b1.id).place, 'Isfana road, km 12', 'the edit made offline went through');
  // and so do the phones, which the reset pull would have emptied of what
  // the restore lost
  for (const [d, server] of [[a, ofA], [b, ofB]]) {
    const docs = new Map((await d.docs('incident_reports')).map((doc) => [doc.id, doc]));
    assert.deepEqual([...docs.keys()].sort(), [...server.keys()].sort(), `${d.name}'s reports`);
    for (const [id, rec] of server) {
      assert.equal(docs.get(id).description, rec.description, `${d.name}: ${id}`);
      assert.equal(docs.get(id).place, rec.place, `${d.name}: ${id}`);
      assert.equal(docs.get(id).rev >= 1, true);
    }
  }

  for (const d of [a, b]) {
    assert.ok(d.protocol.history >= 1, `${d.name} was told of the restore`);
    assert.ok(d.repushed.length >= 1, `${d.name} pushed its journal again`);
    const lost = d.protocol.pushes().filter((e) => e.path.includes('lost='));
    assert.ok(lost.length >= 1, `${d.name} sent lost with its journal`);
  }
  // what the journals' pushes answered, by the field each mutation wrote
  const repushed = (d) => Object.fromEntries(d.repushed.map(({ mutation, result }) =>
    [`${mutation.recordId}:${mutation.baseRev === null ? 'create' : Object.keys(mutation.data).join()}`, result.status]));
  assert.equal(repushed(a)[`${a2.id}:create`], 'applied', JSON.stringify(repushed(a)));
  // merged: the administrator's correction came after the position lost names
  assert.equal(repushed(a)[`${a1.id}:description`], 'merged', JSON.stringify(repushed(a)));
  assert.equal(repushed(b)[`${b1.id}:create`], 'applied', JSON.stringify(repushed(b)));

  // once recovered, a new report goes without lost
  const a3 = newReport(people.volunteerA.id, { description: 'Quiet night in Vorukh.' });
  const before = a.protocol.pushes().length;
  await a.db.incident_reports.insert(a3);
  await a.sync();
  const later = a.protocol.pushes().slice(before);
  assert.ok(later.length >= 1 && later.every((e) => !e.path.includes('lost=')), JSON.stringify(later.map((e) => e.path)));
  assert.equal((await onServer(people.volunteerA)).size, 3);
  for (const d of [a, b]) {
    for (const e of d.errors) {
      const text = JSON.stringify(e.parameters?.errors ?? e.message);
      assert.match(text, /device offline|simulated: connection cut|fetch failed|ECONNREFUSED/, `${d.name}: unexpected error ${text}`);
    }
  }
});
