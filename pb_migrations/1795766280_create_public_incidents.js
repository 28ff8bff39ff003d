/// <reference path="../pb_data/types.d.ts" />

// public_incidents: all the public may know of an incident. Only verified
// reports; the id is the report's id (so clients can follow one), and never
// the reporter, the description, the photos or the review notes. The point is
// rounded to 2 decimals (about 1 km) and the time to the day. Unset points
// (PocketBase stores 0,0) come out as null rather than a point in the ocean.
migrate((app) => {
  const collection = new Collection({
    id: "aman_public_incidents",
    type: "view",
    name: "public_incidents",
    listRule: "",
    viewRule: "",
    viewQuery: `
SELECT
  r.id AS id,
  CAST(substr(r.occurred_at, 1, 10) AS TEXT) AS occurred_on,
  r.region AS region,
  r.district AS district,
  iif(
    json_extract(r.location, '$.lon') = 0 AND json_extract(r.location, '$.lat') = 0,
    NULL,
    json_object(
      'lon', round(json_extract(r.location, '$.lon'), 2),
      'lat', round(json_extract(r.location, '$.lat'), 2))
  ) AS location,
  r.category AS category,
  r.killed AS killed,
  r.injured AS injured,
  r.public_summary AS public_summary,
  r.updated AS updated
FROM incident_reports r
WHERE r.status = 'verified'`,
  });
  app.save(collection);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("public_incidents"));
});
