/// <reference path="../pb_data/types.d.ts" />

// A coordinator who verifies a report names themselves in the same request
// (docs/workflow.md). 1795767000 stopped naming a colleague as verified_by;
// this closes the other way round: setting status `verified` while leaving
// a verified_by in place that someone else had put there (a colleague's
// earlier, unfinished verification). The workflow's "the verifier is not
// the reporter" check would have run against that colleague and told the
// requester whether the colleague filed an anonymous report.
//
// Sending status `verified` back unchanged (a whole document of a verified
// report) stays allowed. Superusers bypass rules. The guard is added to
// whatever the rule is now; `down` takes it off again.
const guard = "(@request.body.status:changed = false || @request.body.status != 'verified'" +
  " || @request.body.verified_by = @request.auth.id)";

migrate((app) => {
  const collection = app.findCollectionByNameOrId("incident_reports");
  if (collection.updateRule === null || collection.updateRule === undefined) {
    return; // superusers only: nothing to guard
  }
  collection.updateRule = collection.updateRule === "" ? guard : `(${collection.updateRule}) && ${guard}`;
  app.save(collection);
}, (app) => {
  const collection = app.findCollectionByNameOrId("incident_reports");
  const rule = collection.updateRule;
  if (rule === guard) {
    collection.updateRule = "";
  } else if (rule && rule.startsWith("(") && rule.endsWith(`) && ${guard}`)) {
    collection.updateRule = rule.slice(1, rule.length - `) && ${guard}`.length);
  } else {
    return;
  }
  app.save(collection);
});
