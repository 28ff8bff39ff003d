/// <reference path="../pb_data/types.d.ts" />

// A reporter may make their report anonymous at any status, never the
// other way once it is out of `submitted` (docs/data-model.md).
//
// The update rule let the reporter write only while the report was
// `submitted` (and only photos while `in_review`, 1795767410), so a
// volunteer who came to fear retaliation after a coordinator took the
// report into review could no longer hide their name. Now an update by the
// reporter that sets `anonymous` to true is allowed at any status, if it
// names no other field, whatever its value, beyond what is already allowed
// then: photos while `in_review`; anything while `submitted` (the rule
// before this one). Setting it back to false stays possible only while
// `submitted`: a name hidden from coordinators, whose apps may have synced
// the report without it, is not handed back to them by a late change of
// mind on a report under review or decided. Coordinators still change no
// content, `anonymous` included.
//
// The clause is added beside whatever the rule is now, so a rule an
// operator edited keeps its meaning; `down` takes it off again.
const others = [
  "reporter", "occurred_at", "region", "district", "place", "location",
  "location_precision", "category", "description", "killed", "injured", "source_type", "language",
  "status", "verification_note", "verified_by", "verified_at", "sources", "public_summary",
];
const anonymousAnyStatus = "(@request.auth.id != '' && @request.auth.collectionName = 'users'" +
  " && reporter = @request.auth.id && @request.body.anonymous = true" +
  " && (status = 'in_review' || @request.body.photos:isset = false) && " +
  others.map((n) => `@request.body.${n}:isset = false`).join(" && ") + ")";

migrate((app) => {
  const reports = app.findCollectionByNameOrId("incident_reports");
  if (reports.updateRule === null || reports.updateRule === undefined || reports.updateRule === "") {
    return; // superusers only, or anyone: nothing to widen
  }
  reports.updateRule = `(${reports.updateRule}) || ${anonymousAnyStatus}`;
  app.save(reports);
}, (app) => {
  const reports = app.findCollectionByNameOrId("incident_reports");
  const rule = reports.updateRule;
  const suffix = `) || ${anonymousAnyStatus}`;
  if (!rule || !rule.startsWith("(") || !rule.endsWith(suffix)) {
    return;
  }
  reports.updateRule = rule.slice(1, rule.length - suffix.length);
  app.save(reports);
});
