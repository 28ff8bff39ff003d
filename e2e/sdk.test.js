// The official PocketBase JS SDK against the real server: what an
// integrator's first script sees. The Go tests hold the full role matrix;
// this proves the same rules hold for a real third-party client over HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientResponseError } from 'pocketbase';

import { message } from './lib/catalog.js';
import { startServer } from './lib/server.js';
import { client, createPeople, newId } from './lib/people.js';

let server;
let people;

before(async () => {
  server = await startServer();
  people = await createPeople(server);
});

after(async () => {
  await server?.stop();
});

// report returns the fields of a valid new incident report by reporterId.
function report(reporterId, extra = {}) {
  return {
    reporter: reporterId,
    occurred_at: '2026-11-20 06:30:00.000Z',
    region: 'batken',
    place: 'Near the water distribution point',
    category: 'gunfire',
    description: 'Shots heard for about ten minutes, no one injured as far as we know.',
    source_type: 'eyewitness',
    language: 'en',
    ...extra,
  };
}

// rejection runs fn, which must fail, and returns the SDK's error.
async function rejection(fn) {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ClientResponseError, `expected a ClientResponseError, got ${err}`);
    return err;
  }
  assert.fail('the request succeeded but had to be refused');
}

describe('anonymous reader', () => {
  test('reads the appeal', async () => {
    const pb = client(server.url);
    const appeal = await pb.collection('appeals').getFirstListItem('slug = "civil-society-appeal-2021-04-30"');
    assert.equal(appeal.language, 'en');
    assert.equal(appeal.status, 'published');
    assert.equal(appeal.official, true);
    assert.match(appeal.body, /civil society of the Kyrgyz Republic and the Republic of Tajikistan/);
  });

  test('reads the districts of Sughd and Batken', async () => {
    const pb = client(server.url);
    const districts = await pb.collection('districts').getFullList({ sort: 'code' });
    const regions = new Set(districts.map((d) => d.region));
    assert.ok(regions.has('sughd') && regions.has('batken'), `regions: ${[...regions]}`);
    for (const d of districts) {
      assert.ok(d.code && d.name_en && d.name_ru && d.name_local, `incomplete district ${JSON.stringify(d)}`);
    }
    assert.ok(districts.some((d) => d.code.includes('isfara')), 'Isfara is missing');
  });

  test('cannot list or view incident reports', async () => {
    const { volunteerA } = people;
    const created = await volunteerA.pb.collection('incident_reports').create(report(volunteerA.id));
    const pb = client(server.url);
    const list = await pb.collection('incident_reports').getList(1, 50);
    assert.equal(list.totalItems, 0);
    assert.deepEqual(list.items, []);
    const err = await rejection(() => pb.collection('incident_reports').getOne(created.id));
    assert.equal(err.status, 404);
  });
});

describe('volunteer', () => {
  test('creates a report with a client-generated id and sees only their own', async () => {
    const { volunteerA, volunteerB } = people;
    const idA = newId();
    const idB = newId();
    const a = await volunteerA.pb.collection('incident_reports').create(report(volunteerA.id, { id: idA }));
    await volunteerB.pb.collection('incident_reports').create(report(volunteerB.id, { id: idB, region: 'sughd' }));
    assert.equal(a.id, idA);
    assert.equal(a.reporter, volunteerA.id);
    assert.equal(a.status, 'submitted', 'a new report starts as submitted');

    const mine = await volunteerA.pb.collection('incident_reports').getFullList();
    assert.ok(mine.some((r) => r.id === idA));
    assert.ok(mine.every((r) => r.reporter === volunteerA.id), 'A sees a report that is not theirs');
    assert.ok(!mine.some((r) => r.id === idB));
    const err = await rejection(() => volunteerA.pb.collection('incident_reports').getOne(idB));
    assert.equal(err.status, 404);
  });

  test('gets field error codes for invalid input', async () => {
    const { volunteerA } = people;
    const err = await rejection(() => volunteerA.pb.collection('incident_reports').create(
      report(volunteerA.id, { category: 'riot', killed: -1 })));
    assert.equal(err.status, 400);
    assert.equal(err.response.data.category?.code, 'validation_invalid_value');
    assert.equal(err.response.data.killed?.code, 'validation_min_number_constraint');
    // In the volunteer's profile language (Tajik), from the project's catalog.
    assert.equal(err.response.data.category.message, message('tg', 'validation_invalid_value'));
  });

  test('cannot report as someone else or set review fields', async () => {
    const { volunteerA, volunteerB } = people;
    const asB = await rejection(() => volunteerA.pb.collection('incident_reports').create(report(volunteerB.id)));
    assert.equal(asB.status, 400);
    const verified = await rejection(() => volunteerA.pb.collection('incident_reports').create(
      report(volunteerA.id, { status: 'verified' })));
    assert.equal(verified.status, 400);
    const theirs = await volunteerB.pb.collection('incident_reports').getFullList();
    assert.ok(theirs.every((r) => r.reporter === volunteerB.id));
  });

  test('cannot delete their report (coordinators archive instead)', async () => {
    const { volunteerA } = people;
    const r = await volunteerA.pb.collection('incident_reports').create(report(volunteerA.id));
    const err = await rejection(() => volunteerA.pb.collection('incident_reports').delete(r.id));
    assert.equal(err.status, 403);
    assert.equal((await volunteerA.pb.collection('incident_reports').getOne(r.id)).id, r.id);
  });
});

describe('coordinator', () => {
  test('sees every volunteer\'s reports', async () => {
    const { coordinator, volunteerA, volunteerB } = people;
    const all = await coordinator.pb.collection('incident_reports').getFullList();
    const reporters = new Set(all.map((r) => r.reporter));
    assert.ok(reporters.has(volunteerA.id) && reporters.has(volunteerB.id), `reporters: ${[...reporters]}`);
  });
});
