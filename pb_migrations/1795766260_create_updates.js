/// <reference path="../pb_data/types.d.ts" />

// updates: verified public updates written by editors. The public reads
// published ones; editors write any (the newsroom shares the work) but the
// author stays the one who created it. A published update is retracted, not
// deleted, so offline readers learn of the retraction: editors delete drafts
// only.
migrate((app) => {
  const editor = "@request.auth.role = 'editor'";
  const readRule = `status = 'published' || ${editor}`;
  // An update rests on verified reports only: their ids become public with
  // it (they are public_incidents ids), and editors cannot read the others.
  const verifiedOnly = "(@request.body.related_incidents:length = 0" +
    " || @request.body.related_incidents.status = 'verified')";

  const collection = new Collection({
    id: "aman_updates",
    type: "base",
    name: "updates",
    listRule: readRule,
    viewRule: readRule,
    createRule: `${editor} && @request.body.author = @request.auth.id && ${verifiedOnly}`,
    updateRule: `${editor} && @request.body.author:changed = false && ${verifiedOnly}`,
    deleteRule: `${editor} && status = 'draft'`,
    fields: [
      { type: "text", name: "title", required: true, max: 300, presentable: true },
      { type: "text", name: "body", required: true, max: 20000 },
      { type: "select", name: "language", required: true, maxSelect: 1, values: ["tg", "ky", "ru", "uz-Cyrl", "en"] },
      { type: "select", name: "region", maxSelect: 1, values: ["sughd", "batken", "other"] },
      { type: "select", name: "status", required: true, maxSelect: 1, values: ["draft", "published", "retracted"] },
      { type: "date", name: "published_at" },
      { type: "text", name: "sources", max: 5000, help: "Where the facts come from, one per line." },
      { type: "relation", name: "related_incidents", maxSelect: 50, cascadeDelete: false,
        collectionId: "aman_incident_reports", help: "Verified reports this update is based on (ids only are public)." },
      { type: "relation", name: "author", required: true, maxSelect: 1, cascadeDelete: false,
        collectionId: "_pb_users_auth_" },
      { type: "autodate", name: "created", onCreate: true, onUpdate: false },
      { type: "autodate", name: "updated", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE INDEX idx_updates_status ON updates (status)",
      "CREATE INDEX idx_updates_published_at ON updates (published_at)",
      "CREATE INDEX idx_updates_updated ON updates (updated)",
    ],
  });
  app.save(collection);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("updates"));
});
