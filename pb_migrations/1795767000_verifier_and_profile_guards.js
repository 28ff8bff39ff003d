/// <reference path="../pb_data/types.d.ts" />

// Two limits of what a coordinator may write (docs/data-model.md):
//
// - incident_reports: a coordinator verifies a report as themselves: an
//   update may set verified_by to the requester only (or clear it). Before,
//   a coordinator could name a colleague, and the workflow's "a reporter
//   does not verify their own report" (workflow_verifier_is_reporter) would
//   have told them whether that colleague filed an anonymous report.
//   Sending the stored value back (a whole document) stays allowed.
// - users: a coordinator manages others' accounts (role, organization,
//   name, region) but not their face or their language: the avatar is a
//   photo of a person, and the language decides what the app and its
//   e-mails show them. Users still change their own.
//
// Superusers bypass rules, so they still name any verifier and edit any
// profile. Each guard is added to whatever the rule is now, so a rule an
// operator edited keeps its meaning; `down` takes it off again.
const guards = {
  incident_reports: "(@request.body.verified_by:changed = false || @request.body.verified_by = ''" +
    " || @request.body.verified_by = @request.auth.id)",
  users: "(id = @request.auth.id || (@request.body.avatar:changed = false" +
    " && @request.body.language:changed = false))",
};

migrate((app) => {
  for (const [name, guard] of Object.entries(guards)) {
    const collection = app.findCollectionByNameOrId(name);
    if (collection.updateRule === null || collection.updateRule === undefined) {
      continue; // superusers only: nothing to guard
    }
    collection.updateRule = collection.updateRule === "" ? guard : `(${collection.updateRule}) && ${guard}`;
    app.save(collection);
  }
}, (app) => {
  for (const [name, guard] of Object.entries(guards)) {
    const collection = app.findCollectionByNameOrId(name);
    const rule = collection.updateRule;
    if (rule === guard) {
      collection.updateRule = "";
    } else if (rule && rule.startsWith("(") && rule.endsWith(`) && ${guard}`)) {
      collection.updateRule = rule.slice(1, rule.length - `) && ${guard}`.length);
    } else {
      continue;
    }
    app.save(collection);
  }
});
