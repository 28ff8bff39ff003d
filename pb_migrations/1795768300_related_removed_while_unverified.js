/// <reference path="../pb_data/types.d.ts" />

// Taking reports out of an update is allowed whatever the others' status
// (docs/workflow.md, Updates and fact-checks).
//
// The update rule required every report a request names in
// related_incidents to be verified. A request that takes one of two
// reopened reports out of an update names the other, which is not verified:
// it was refused, and the editor could only take both out at once, or
// retract. The clause goes off the update rule; the workflow judges what a
// write adds instead, on every path (workflow.checkAddedVerified for a
// request by anyone but a superuser, whatever the status, and
// checkRelatedVerified for a published update, for everyone): an added
// report must be verified now, a removed one needs nothing. The create rule
// keeps the clause: everything a create names is added.
//
// Only the clause is taken off, wherever it stands, so a rule an operator
// edited keeps the rest of its meaning; `down` puts it back beside the rest.
const clause = "(@request.body.related_incidents:length = 0" +
  " || @request.body.related_incidents.status = 'verified')";

migrate((app) => {
  const updates = app.findCollectionByNameOrId("updates");
  const rule = updates.updateRule;
  if (!rule || rule.indexOf(clause) < 0) {
    return; // superusers only, anyone, or an operator's rule without it
  }
  updates.updateRule = rule.replace(` && ${clause}`, "").replace(`${clause} && `, "");
  app.save(updates);
}, (app) => {
  const updates = app.findCollectionByNameOrId("updates");
  const rule = updates.updateRule;
  if (!rule || rule.indexOf(clause) >= 0) {
    return;
  }
  const after = "@request.body.author:changed = false";
  updates.updateRule = rule.indexOf(`${after} && `) >= 0
    ? rule.replace(`${after} && `, `${after} && ${clause} && `)
    : `(${rule}) && ${clause}`;
  app.save(updates);
});
