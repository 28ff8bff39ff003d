/// <reference path="../pb_data/types.d.ts" />

// Aid workers: the people of the organization a coordinator assigns to an
// aid request see it and report its progress (docs/data-model.md, "Who may
// do what").
//
// Coordinators assigned a request to an organization (`assigned_org`), but
// nobody of the organization could read it: the help was assigned to
// people who could not learn what was needed, where, or whom to call. A
// new role, `aid_worker`, is for them. A user whose role is `aid_worker`
// and whose `organization` is the request's `assigned_org`:
//   - reads the requests assigned to their organization, in every status
//     (the Go privacy hook shows them the beneficiary's name, phone and
//     location only while the request is not closed or cancelled,
//     privacy.HiddenFields);
//   - moves a request they handle between `acknowledged`, `in_progress`
//     and `fulfilled` (the workflow decides which step may follow which)
//     and writes its `notes`, and changes nothing else: opening, closing,
//     cancelling and reassigning stay the coordinators'.
// It takes both: a volunteer keeps seeing no one else's aid request and no
// beneficiary's contact but their own, whatever organization they belong
// to. Only a coordinator or a superuser sets a user's role and
// organization. Reassigning the request, or changing the user's role or
// organization, takes it out of their view (phones get a tombstone on
// their next pull, or reset: the checkpoint's fingerprint holds the auth
// fields the rules name).
//
// The clauses are added beside whatever the rules are now, so a rule an
// operator edited keeps its meaning; `down` takes them off again, and
// makes the aid workers volunteers.
const role = "aid_worker";
const member = "(@request.auth.id != '' && @request.auth.collectionName = 'users'" +
  ` && @request.auth.role = '${role}'` +
  " && @request.auth.organization != '' && assigned_org = @request.auth.organization)";

const working = ["acknowledged", "in_progress", "fulfilled"];
const fixed = [
  "requester", "beneficiary_name", "contact_phone", "region", "district", "place", "location",
  "needs", "people_count", "vulnerable", "urgency", "assigned_org", "acknowledged_at",
];
const memberUpdate = `(${member}` +
  ` && (${working.map((s) => `status = '${s}'`).join(" || ")})` +
  ` && (@request.body.status:changed = false || ${working.map((s) => `@request.body.status = '${s}'`).join(" || ")})` +
  ` && ${fixed.map((n) => `@request.body.${n}:changed = false`).join(" && ")}` +
  // the link to an incident is hidden from members unless they reported
  // that incident (privacy.LinkHidden): naming it is refused otherwise,
  // whatever its value, as 1795766800_hidden_fields_not_writable.js does
  ` && (@request.body.related_incident:isset = false || (@request.body.related_incident:changed = false` +
  ` && (related_incident = '' || related_incident.reporter = @request.auth.id))))`;

// the dashboard's help under the confidential fields says who sees them,
// and under the notes who writes them
const help = {
  beneficiary_name: ["Who needs help. Confidential: coordinators only.",
    "Who needs help. Confidential: the requester, coordinators and, until the request is closed or cancelled, the aid workers of the assigned organization."],
  contact_phone: ["How to reach them. Confidential: coordinators only.",
    "How to reach them. Confidential: the requester, coordinators and, until the request is closed or cancelled, the aid workers of the assigned organization."],
  notes: ["Coordinators' handling notes.",
    "Handling notes of coordinators and, while they work on the request, of the aid workers of the assigned organization."],
};

const setHelp = (collection, to) => {
  for (const [name, texts] of Object.entries(help)) {
    const field = collection.fields.getByName(name);
    if (field && field.help === texts[1 - to]) {
      field.help = texts[to];
    }
  }
};

const widen = {
  listRule: member,
  viewRule: member,
  updateRule: memberUpdate,
};

// setRole adds the role to users.role's values (on) or takes it off.
const setRole = (app, on) => {
  const users = app.findCollectionByNameOrId("users");
  const field = users.fields.getByName("role");
  const values = [...field.values].filter((v) => v !== role);
  if (on) {
    values.push(role);
  } else {
    app.db().newQuery("UPDATE users SET role = 'volunteer' WHERE role = {:role}").bind({ role }).execute();
  }
  field.values = values;
  app.save(users);
};

migrate((app) => {
  setRole(app, true);
  const requests = app.findCollectionByNameOrId("aid_requests");
  for (const [rule, clause] of Object.entries(widen)) {
    const current = requests[rule];
    if (current === null || current === undefined || current === "") {
      continue; // superusers only, or anyone: nothing to widen
    }
    requests[rule] = `(${current}) || ${clause}`;
  }
  setHelp(requests, 1);
  app.save(requests);
}, (app) => {
  const requests = app.findCollectionByNameOrId("aid_requests");
  for (const [rule, clause] of Object.entries(widen)) {
    const current = requests[rule];
    const suffix = `) || ${clause}`;
    if (!current || !current.startsWith("(") || !current.endsWith(suffix)) {
      continue;
    }
    requests[rule] = current.slice(1, current.length - suffix.length);
  }
  setHelp(requests, 0);
  app.save(requests);
  setRole(app, false);
});
