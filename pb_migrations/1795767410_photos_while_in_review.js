/// <reference path="../pb_data/types.d.ts" />

// A reporter may add (or take back) photos of their report while it is in
// review, and change nothing else there (docs/data-model.md).
//
// A phone on 2G sends a report's text first, in a push, and its photos
// after, over REST (multipart: photos are never inside a push,
// docs/sync.md). The update rule let the reporter write only while the
// report was `submitted`, so once a coordinator took it into review the
// queued photos were refused (404) and lost with them the evidence the
// coordinator was reviewing. Naming any other field in such an update is
// refused, whatever its value: content is frozen while a coordinator
// reviews it (they send it back to `submitted` for corrections).
//
// The clause is added beside whatever the rule is now, so a rule an
// operator edited keeps its meaning; `down` takes it off again.
const others = [
  "reporter", "anonymous", "occurred_at", "region", "district", "place", "location",
  "location_precision", "category", "description", "killed", "injured", "source_type", "language",
  "status", "verification_note", "verified_by", "verified_at", "sources", "public_summary",
];
const photosInReview = "(@request.auth.id != '' && @request.auth.collectionName = 'users'" +
  " && reporter = @request.auth.id && status = 'in_review' && " +
  others.map((n) => `@request.body.${n}:isset = false`).join(" && ") + ")";

migrate((app) => {
  const reports = app.findCollectionByNameOrId("incident_reports");
  if (reports.updateRule === null || reports.updateRule === undefined || reports.updateRule === "") {
    return; // superusers only, or anyone: nothing to widen
  }
  reports.updateRule = `(${reports.updateRule}) || ${photosInReview}`;
  app.save(reports);
}, (app) => {
  const reports = app.findCollectionByNameOrId("incident_reports");
  const rule = reports.updateRule;
  const suffix = `) || ${photosInReview}`;
  if (!rule || !rule.startsWith("(") || !rule.endsWith(suffix)) {
    return;
  }
  reports.updateRule = rule.slice(1, rule.length - suffix.length);
  app.save(reports);
});
