/// <reference path="../pb_data/types.d.ts" />

// Aid workers, refined (docs/data-model.md, "Who may do what"; the clauses
// of 1795767600_assigned_organization.js):
//   - the aid workers of a retired organization (organizations.active =
//     false) read and write nothing of the requests assigned to it: the
//     members' clause of the list, view and update rules now requires
//     `@request.auth.organization.active = true`, so realtime, expand,
//     batch and sync follow (a sync pull resets: the checkpoint's
//     fingerprint resolves `organization.active`). Re-activating the
//     organization gives the access back.
//   - an aid worker may acknowledge a request assigned to their
//     organization while it is still `open` (the workflow stamps
//     `acknowledged_at`) and write its notes then: a request assigned while
//     open was shown to them with nothing they could do. Opening, closing,
//     cancelling and reassigning stay the coordinators'. The write that
//     acknowledges may carry `acknowledged_at`, the time the aid worker
//     acknowledged on a phone that was offline then (the workflow keeps it
//     between the request's creation and now); no other write of theirs
//     changes it.
// The third change of this release (aid workers no longer see the `notes`
// and `place` of a closed or cancelled request) is the Go privacy hook's;
// the dashboard's help under `notes` says so.
//
// Each clause 1795767600 added is replaced where it is found as it wrote
// it, so a rule an operator edited elsewhere keeps its meaning (a clause
// the operator rewrote is left alone); `down` puts the old clauses back.
const role = "aid_worker";
const memberOf = (active) => "(@request.auth.id != '' && @request.auth.collectionName = 'users'" +
  ` && @request.auth.role = '${role}'` +
  " && @request.auth.organization != ''" +
  (active ? " && @request.auth.organization.active = true" : "") +
  " && assigned_org = @request.auth.organization)";

const working = ["acknowledged", "in_progress", "fulfilled"];
const fixed = [
  "requester", "beneficiary_name", "contact_phone", "region", "district", "place", "location",
  "needs", "people_count", "vulnerable", "urgency", "assigned_org", "acknowledged_at",
];
// fixedClause keeps field n as stored; in the refined clause
// acknowledged_at may be sent with the acknowledgement.
const fixedClause = (n, refined) => refined && n === "acknowledged_at"
  ? `(@request.body.${n}:changed = false || ${acknowledging})`
  : `@request.body.${n}:changed = false`;
// from: the statuses in which a member writes the request; the targets
// stay the three working steps (the workflow decides which may follow which:
// from open, only acknowledged)
const acknowledging = "(status = 'open' && @request.body.status = 'acknowledged')";
const memberUpdateOf = (active, from) => `(${memberOf(active)}` +
  ` && (${from.map((s) => `status = '${s}'`).join(" || ")})` +
  ` && (@request.body.status:changed = false || ${working.map((s) => `@request.body.status = '${s}'`).join(" || ")})` +
  ` && ${fixed.map((n) => fixedClause(n, active)).join(" && ")}` +
  ` && (@request.body.related_incident:isset = false || (@request.body.related_incident:changed = false` +
  ` && (related_incident = '' || related_incident.reporter = @request.auth.id))))`;

const clauses = {
  listRule: [memberOf(false), memberOf(true)],
  viewRule: [memberOf(false), memberOf(true)],
  updateRule: [memberUpdateOf(false, working), memberUpdateOf(true, ["open", ...working])],
};

const notesHelp = [
  "Handling notes of coordinators and, while they work on the request, of the aid workers of the assigned organization.",
  "Handling notes of coordinators and of the aid workers of the assigned organization, who write them while the request is open or being handled and no longer see them once it is closed or cancelled.",
];

// apply swaps each rule's clause and the notes' help from [1 - to] to [to].
const apply = (app, to) => {
  const requests = app.findCollectionByNameOrId("aid_requests");
  for (const [rule, pair] of Object.entries(clauses)) {
    const current = requests[rule];
    if (!current || !current.includes(pair[1 - to])) {
      continue;
    }
    requests[rule] = current.split(pair[1 - to]).join(pair[to]);
  }
  const notes = requests.fields.getByName("notes");
  if (notes && notes.help === notesHelp[1 - to]) {
    notes.help = notesHelp[to];
  }
  app.save(requests);
};

migrate((app) => apply(app, 1), (app) => apply(app, 0));
