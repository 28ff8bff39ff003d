/// <reference path="../pb_data/types.d.ts" />

// aid_requests: a person or family in need, recorded by a volunteer (often
// offline) and handled by coordinators, who assign an organization.
//
// Rules (see docs/data-model.md):
//   - any signed-in user creates requests as themselves only, with no
//     handling fields;
//   - a requester sees their own requests and edits their content while
//     `open`; nobody but a superuser deletes (a coordinator cancels);
//   - coordinators see all and change only the handling fields;
//   - editors and the public never see aid requests.
// Hiding the beneficiary's contact from roles that may not see it is done by
// the Go privacy hook; status transitions by the workflow hook.
migrate((app) => {
  const content = [
    "requester", "beneficiary_name", "contact_phone", "region", "district", "place", "location",
    "needs", "people_count", "vulnerable", "urgency",
  ];
  const handling = ["status", "assigned_org", "notes", "acknowledged_at"];
  const unchanged = (names) => names.map((n) => `@request.body.${n}:changed = false`).join(" && ");
  const unset = (names) => names.map((n) => `@request.body.${n} = ''`).join(" && ");

  const signedIn = "@request.auth.id != '' && @request.auth.collectionName = 'users'";
  const own = "requester = @request.auth.id";
  const coordinator = "@request.auth.role = 'coordinator'";
  const readRule = `${coordinator} || (${signedIn} && ${own})`;

  const collection = new Collection({
    id: "aman_aid_requests",
    type: "base",
    name: "aid_requests",
    listRule: readRule,
    viewRule: readRule,
    createRule: `${signedIn} && @request.body.requester = @request.auth.id` +
      ` && (@request.body.status = '' || @request.body.status = 'open')` +
      ` && ${unset(handling.filter((n) => n !== "status"))}`,
    updateRule: `(${signedIn} && ${own} && status = 'open' && ${unchanged(["requester", ...handling])})` +
      ` || (${coordinator} && ${unchanged(content)})`,
    deleteRule: null,
    fields: [
      // who
      { type: "relation", name: "requester", required: true, maxSelect: 1, cascadeDelete: false,
        collectionId: "_pb_users_auth_", help: "The volunteer who recorded the request." },
      { type: "text", name: "beneficiary_name", max: 200,
        help: "Who needs help. Confidential: coordinators only." },
      { type: "text", name: "contact_phone", max: 32, pattern: "^[0-9+()\\- ]*$",
        help: "How to reach them. Confidential: coordinators only." },
      // where
      { type: "select", name: "region", required: true, maxSelect: 1, values: ["sughd", "batken", "other"] },
      { type: "relation", name: "district", maxSelect: 1, cascadeDelete: false, collectionId: "aman_districts" },
      { type: "text", name: "place", max: 200 },
      { type: "geoPoint", name: "location" },
      // what
      { type: "select", name: "needs", required: true, maxSelect: 9,
        values: ["medical", "shelter", "food", "water", "evacuation", "psychosocial", "legal", "missing_person", "other"] },
      { type: "number", name: "people_count", min: 0, max: 100000, onlyInt: true, help: "How many people need this help." },
      { type: "select", name: "vulnerable", maxSelect: 5,
        values: ["children", "elderly", "disabled", "pregnant", "injured"] },
      { type: "select", name: "urgency", required: true, maxSelect: 1, values: ["critical", "high", "normal"] },
      // handling
      { type: "select", name: "status", maxSelect: 1,
        values: ["open", "acknowledged", "in_progress", "fulfilled", "closed", "cancelled"] },
      { type: "relation", name: "assigned_org", maxSelect: 1, cascadeDelete: false, collectionId: "aman_organizations" },
      { type: "text", name: "notes", max: 5000, help: "Coordinators' handling notes." },
      { type: "relation", name: "related_incident", maxSelect: 1, cascadeDelete: false,
        collectionId: "aman_incident_reports" },
      { type: "date", name: "acknowledged_at" },
      { type: "autodate", name: "created", onCreate: true, onUpdate: false },
      { type: "autodate", name: "updated", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE INDEX idx_aid_requests_status ON aid_requests (status)",
      "CREATE INDEX idx_aid_requests_requester ON aid_requests (requester)",
      "CREATE INDEX idx_aid_requests_region ON aid_requests (region)",
      "CREATE INDEX idx_aid_requests_urgency ON aid_requests (urgency)",
      "CREATE INDEX idx_aid_requests_updated ON aid_requests (updated)",
    ],
  });
  app.save(collection);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("aid_requests"));
});
