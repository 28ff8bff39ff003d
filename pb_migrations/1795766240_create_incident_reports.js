/// <reference path="../pb_data/types.d.ts" />

// incident_reports: what a field volunteer saw, written offline on a phone and
// reviewed by coordinators before anything of it becomes public (through the
// public_incidents view only).
//
// Field order reads like a review: who, when, where, what, then the review.
//
// Rules (see docs/data-model.md for the matrix):
//   - any signed-in user reports as themselves only, with no review fields;
//   - a reporter sees their own reports and edits their content while
//     `submitted`; nobody but a superuser deletes (a coordinator archives);
//   - coordinators see all and change only the review fields;
//   - editors read verified reports.
// Field-level hiding (reporter of anonymous reports) and refusing filters or
// sorts on hidden fields (which would link an anonymous report to its
// reporter) are done by the Go privacy package, not here. Status
// transitions are enforced by the workflow hook.
migrate((app) => {
  const content = [
    "reporter", "anonymous", "occurred_at", "region", "district", "place", "location",
    "location_precision", "category", "description", "killed", "injured", "source_type",
    "photos", "language",
  ];
  const review = ["status", "verification_note", "verified_by", "verified_at", "sources", "public_summary"];
  const unchanged = (names) => names.map((n) => `@request.body.${n}:changed = false`).join(" && ");
  const unset = (names) => names.map((n) => `@request.body.${n} = ''`).join(" && ");

  const signedIn = "@request.auth.id != '' && @request.auth.collectionName = 'users'";
  const own = "reporter = @request.auth.id";
  const coordinator = "@request.auth.role = 'coordinator'";
  const readRule = `${coordinator} || (@request.auth.role = 'editor' && status = 'verified') || (${signedIn} && ${own})`;

  const collection = new Collection({
    id: "aman_incident_reports",
    type: "base",
    name: "incident_reports",
    listRule: readRule,
    viewRule: readRule,
    createRule: `${signedIn} && @request.body.reporter = @request.auth.id` +
      ` && (@request.body.status = '' || @request.body.status = 'submitted')` +
      ` && ${unset(review.filter((n) => n !== "status"))}`,
    updateRule: `(${signedIn} && ${own} && status = 'submitted' && ${unchanged(["reporter", ...review])})` +
      ` || (${coordinator} && ${unchanged(content)})`,
    deleteRule: null,
    fields: [
      // who
      { type: "relation", name: "reporter", required: true, maxSelect: 1, cascadeDelete: false,
        collectionId: "_pb_users_auth_", help: "The volunteer who reported. Hidden from others when anonymous." },
      { type: "bool", name: "anonymous", help: "Hide the reporter from everyone but superusers." },
      // when
      { type: "date", name: "occurred_at", required: true, presentable: true, help: "When it happened (UTC), as precisely as known." },
      // where
      { type: "select", name: "region", required: true, maxSelect: 1, values: ["sughd", "batken", "other"] },
      { type: "relation", name: "district", maxSelect: 1, cascadeDelete: false, collectionId: "aman_districts" },
      { type: "text", name: "place", max: 200, help: "Village, street or landmark." },
      { type: "geoPoint", name: "location", help: "Exact point; never public (the public view rounds it to 2 decimals)." },
      { type: "select", name: "location_precision", maxSelect: 1,
        values: ["exact", "approximate", "settlement", "district"] },
      // what
      { type: "select", name: "category", required: true, maxSelect: 1, presentable: true,
        values: ["armed_clash", "shelling", "gunfire", "casualties", "displacement", "property_damage",
          "detention", "mobilization_of_civilians", "hate_speech", "disinformation", "other"] },
      { type: "text", name: "description", required: true, max: 5000 },
      { type: "number", name: "killed", min: 0, onlyInt: true },
      { type: "number", name: "injured", min: 0, onlyInt: true },
      { type: "select", name: "source_type", maxSelect: 1,
        values: ["eyewitness", "second_hand", "media", "social_media", "official"] },
      { type: "file", name: "photos", maxSelect: 10, maxSize: 10485760,
        mimeTypes: ["image/jpeg", "image/png", "image/webp"], thumbs: ["100x100", "480x0"], protected: true,
        help: "Images only, up to 10 MB each; metadata is stripped on upload." },
      { type: "select", name: "language", maxSelect: 1, values: ["tg", "ky", "ru", "uz-Cyrl", "en"],
        help: "Language the description is written in." },
      // review
      { type: "select", name: "status", maxSelect: 1,
        values: ["submitted", "in_review", "verified", "disputed", "false", "archived"] },
      { type: "text", name: "verification_note", max: 5000, help: "How it was verified or why not." },
      { type: "relation", name: "verified_by", maxSelect: 1, cascadeDelete: false, collectionId: "_pb_users_auth_" },
      { type: "date", name: "verified_at" },
      { type: "text", name: "sources", max: 5000, help: "Corroborating sources, one per line." },
      { type: "text", name: "public_summary", max: 2000,
        help: "What the public may read once verified. No names, no exact places." },
      { type: "autodate", name: "created", onCreate: true, onUpdate: false },
      { type: "autodate", name: "updated", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE INDEX idx_incident_reports_status ON incident_reports (status)",
      "CREATE INDEX idx_incident_reports_reporter ON incident_reports (reporter)",
      "CREATE INDEX idx_incident_reports_region ON incident_reports (region)",
      "CREATE INDEX idx_incident_reports_occurred_at ON incident_reports (occurred_at)",
      "CREATE INDEX idx_incident_reports_updated ON incident_reports (updated)",
    ],
  });
  app.save(collection);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("incident_reports"));
});
