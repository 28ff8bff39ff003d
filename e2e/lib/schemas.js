// RxDB schemas of the synced collections on the device: what this app
// version stores. Only `id` is required: tombstones ({id, rev, _deleted}) are
// validated like any document and must pass. Properties are typed as
// PocketBase's record API returns them. RxDB refuses undeclared properties,
// so the adapter drops fields the server added after this app version.
const id = { type: 'string', maxLength: 15 };
const rev = { type: 'integer', minimum: 0 };
const str = { type: 'string' };
const num = { type: 'number' };
const bool = { type: 'boolean' };

function schema(title, properties) {
  return {
    title,
    version: 0,
    primaryKey: 'id',
    type: 'object',
    properties: { id, rev, created: str, updated: str, ...properties },
    required: ['id'],
  };
}

export const incidentReports = schema('incident reports', {
  reporter: str, anonymous: bool, occurred_at: str, region: str, district: str, place: str,
  location: { type: 'object', properties: { lon: num, lat: num } },
  location_precision: str, category: str, description: str, killed: num, injured: num,
  source_type: str, photos: { type: 'array', items: str }, language: str,
  status: str, verification_note: str, verified_by: str, verified_at: str, sources: str, public_summary: str,
});

export const updates = schema('updates', {
  title: str, body: str, language: str, region: str, status: str, published_at: str, sources: str,
  related_incidents: { type: 'array', items: str }, author: str,
});

export const publicIncidents = schema('public incidents', {
  occurred_on: str, region: str, district: str, location: { type: ['object', 'null'] }, category: str,
  killed: num, injured: num, public_summary: str,
});
