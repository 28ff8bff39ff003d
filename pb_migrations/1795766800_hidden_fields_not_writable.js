/// <reference path="../pb_data/types.d.ts" />

// An update may not name a field hidden from the caller on the record
// (docs/workflow.md, "Field privacy"), whatever the value it sends.
//
// The update rules compare each submitted field with the stored value
// (`:changed`). For a field the caller may not see, that comparison was an
// oracle: a coordinator sending `reporter: <a user>` to an anonymous report
// got 200 when the guess was the reporter and 404 otherwise, and a
// volunteer could test who verified its report the same way. Now naming
// such a field refuses the update (404) for every value. Clients never
// send these fields back: they never receive them.
//
// The guard mirrors privacy.HiddenFields and privacy.LinkHidden (Go);
// server/rules_test.go (TestUpdate_HiddenFieldsAnswerAlike) holds the two
// together for every role and every hidden field of the fixtures. It is
// added to whatever the rules are now, so a rule an operator edited keeps
// its meaning; `down` takes it off again.
const own = (field) => `${field} = @request.auth.id`;
const coordinator = "@request.auth.role = 'coordinator'";
const editor = "@request.auth.role = 'editor'";
const absent = (field) => `@request.body.${field}:isset = false`;

const guards = {
  incident_reports: [
    `(${absent("reporter")} || ${own("reporter")} || (${coordinator} && anonymous = false))`,
    `(${absent("location")} || ${own("reporter")} || ${coordinator})`,
    `(${absent("verified_by")} || ${coordinator} || ${editor})`,
  ].join(" && "),
  aid_requests: [
    `(${absent("beneficiary_name")} || ${own("requester")} || ${coordinator})`,
    `(${absent("contact_phone")} || ${own("requester")} || ${coordinator})`,
    `(${absent("location")} || ${own("requester")} || ${coordinator})`,
    // clearing a link is allowed: a hidden link is never empty, so it tells
    // nothing (privacy.ClearsLink)
    `(${absent("related_incident")} || @request.body.related_incident = '' || ${own("requester")} || related_incident = ''` +
      ` || (${coordinator} && (related_incident.anonymous = false || ${own("related_incident.reporter")})))`,
  ].join(" && "),
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
