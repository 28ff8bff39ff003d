/// <reference path="../pb_data/types.d.ts" />

// fact_checks: claims circulating about the border situation and what is
// known of them. Same rules as updates: public reads published ones, editors
// write, retract rather than delete once published.
migrate((app) => {
  const editor = "@request.auth.role = 'editor'";
  const readRule = `status = 'published' || ${editor}`;

  const collection = new Collection({
    id: "aman_fact_checks",
    type: "base",
    name: "fact_checks",
    listRule: readRule,
    viewRule: readRule,
    createRule: `${editor} && @request.body.author = @request.auth.id`,
    updateRule: `${editor} && @request.body.author:changed = false`,
    deleteRule: `${editor} && status = 'draft'`,
    fields: [
      { type: "text", name: "claim", required: true, max: 2000, presentable: true, help: "The claim as it circulates." },
      { type: "text", name: "claim_source", max: 1000, help: "Who made or spread it, or a link." },
      { type: "select", name: "platform", maxSelect: 1,
        values: ["telegram", "whatsapp", "facebook", "instagram", "tiktok", "youtube", "vk", "odnoklassniki",
          "x", "website", "tv", "print", "word_of_mouth", "other"] },
      { type: "select", name: "verdict", required: true, maxSelect: 1,
        values: ["false", "misleading", "partly_true", "true", "unverified"] },
      { type: "text", name: "explanation", required: true, max: 20000 },
      { type: "text", name: "evidence", max: 5000, help: "Sources and links, one per line." },
      { type: "select", name: "language", required: true, maxSelect: 1, values: ["tg", "ky", "ru", "uz-Cyrl", "en"] },
      { type: "select", name: "status", required: true, maxSelect: 1, values: ["draft", "published", "retracted"] },
      { type: "date", name: "published_at" },
      { type: "relation", name: "author", required: true, maxSelect: 1, cascadeDelete: false,
        collectionId: "_pb_users_auth_" },
      { type: "autodate", name: "created", onCreate: true, onUpdate: false },
      { type: "autodate", name: "updated", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE INDEX idx_fact_checks_status ON fact_checks (status)",
      "CREATE INDEX idx_fact_checks_published_at ON fact_checks (published_at)",
      "CREATE INDEX idx_fact_checks_updated ON fact_checks (updated)",
    ],
  });
  app.save(collection);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("fact_checks"));
});
