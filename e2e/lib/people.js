// The people of the end-to-end scenarios, created through the official
// PocketBase JS SDK exactly as an administrator's script would: a superuser
// client creates the users, then each signs in with their password.
import PocketBase from 'pocketbase';

export const password = 'e2e-user-password-1';

// client returns an SDK client for url. Auto-cancellation is off: the tests
// issue the same request concurrently on purpose and want every answer.
export function client(url) {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  return pb;
}

export async function superuserClient(server) {
  const pb = client(server.url);
  await pb.collection('_superusers').authWithPassword(server.superuser.email, server.superuser.password);
  return pb;
}

const roster = {
  volunteerA: { name: 'Volunteer A', role: 'volunteer', region: 'sughd', language: 'tg' },
  volunteerB: { name: 'Volunteer B', role: 'volunteer', region: 'batken', language: 'ky' },
  coordinator: { name: 'Coordinator', role: 'coordinator', region: 'sughd', language: 'ru' },
  editor: { name: 'Editor', role: 'editor', region: 'other', language: 'en' },
};

// createPeople creates the roster and returns, per person, their record id,
// token and a signed-in SDK client; `root` is the superuser client.
export async function createPeople(server) {
  const root = await superuserClient(server);
  const people = { root };
  // In parallel: password hashing makes each create and login take ~0.5 s.
  await Promise.all(Object.entries(roster).map(async ([key, fields]) => {
    const email = `${key.toLowerCase()}@aman.e2e`;
    await root.collection('users').create({
      ...fields, email, password, passwordConfirm: password, verified: true,
    });
    const pb = client(server.url);
    const auth = await pb.collection('users').authWithPassword(email, password);
    people[key] = { id: auth.record.id, email, token: auth.token, record: auth.record, pb };
  }));
  return people;
}

// newId returns a client-generated record id in PocketBase's default format
// (15 characters of [a-z0-9]), as a phone creating a record offline does.
export function newId() {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  while (id.length < 15) {
    for (const b of crypto.getRandomValues(new Uint8Array(16))) {
      if (b < 252 && id.length < 15) id += alphabet[b % 36]; // 252 = 7*36: no modulo bias
    }
  }
  return id;
}

// newReport returns an incident report as a volunteer's phone writes it
// offline, with a fresh id; extra overrides fields.
export function newReport(reporter, extra = {}) {
  return {
    id: newId(),
    reporter,
    occurred_at: '2026-11-26 14:05:00.000Z',
    region: 'batken',
    place: 'Kok-Tash, near the school',
    category: 'shelling',
    description: 'Two explosions near the school around 14:00.',
    source_type: 'eyewitness',
    language: 'ky',
    ...extra,
  };
}
