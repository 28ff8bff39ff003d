/// <reference path="../pb_data/types.d.ts" />

// A published update that relates a report which is no longer verified is
// marked (docs/workflow.md, Updates and fact-checks).
//
// An update is published on verified reports only, and is not judged again
// when a report it relates is reopened (verified → in_review) or archived
// afterwards: its readers kept the id of a report that had left
// public_incidents, and no editor was told. `related_unverified` is set on
// every published update that relates such a report, in the report's
// transaction (workflow.markRelatedUpdates), and cleared when the report is
// verified again, when the update no longer relates it, or when the update
// is retracted. The workflow keeps it equal to the facts; a written value is
// replaced. The review screen shows it to editors; readers' clients get it
// with the update, through the change log like any change.
//
// The up marks the published updates that already relate such a report.
const name = "related_unverified";
const help = "Set while this published update relates a report that is not verified now " +
  "(reopened or archived after publication). Remove the report from the update, retract it, " +
  "or wait for the report to be verified again.";

migrate((app) => {
  const updates = app.findCollectionByNameOrId("updates");
  if (!updates.fields.getByName(name)) {
    updates.fields.add(new BoolField({ name, help }));
    app.save(updates);
  }
  const published = app.findRecordsByFilter("updates", "status = 'published' && related_incidents:length > 0", "", 0, 0);
  for (const update of published) {
    const ids = update.getStringSlice("related_incidents");
    const verified = app.findRecordsByIds("incident_reports", ids).filter((r) => r.getString("status") === "verified");
    const mark = verified.length < ids.length;
    if (update.getBool(name) !== mark) {
      update.set(name, mark);
      app.saveNoValidate(update);
    }
  }
}, (app) => {
  const updates = app.findCollectionByNameOrId("updates");
  if (!updates.fields.getByName(name)) {
    return;
  }
  updates.fields.removeByName(name);
  app.save(updates);
});
