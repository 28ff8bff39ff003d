/// <reference path="../pb_data/types.d.ts" />

// appeals: the civil-society appeal and, later, its translations. Public read
// of published texts; only superusers write. A translation points at the
// original through `translation_of` and says whether it is official; clients
// fall back to the English original until one exists for their language.
migrate((app) => {
  const collection = new Collection({
    id: "aman_appeals",
    type: "base",
    name: "appeals",
    listRule: "status = 'published'",
    viewRule: "status = 'published'",
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [
      { type: "text", name: "slug", required: true, max: 100, pattern: "^[a-z0-9-]+$",
        help: "Stable key shared by an appeal and its translations' links, e.g. civil-society-appeal-2021-04-30." },
      { type: "text", name: "title", required: true, max: 500, presentable: true },
      { type: "text", name: "body", required: true, max: 100000,
        help: "The text exactly as adopted or translated. Never edit the wording of a published appeal." },
      { type: "select", name: "language", required: true, maxSelect: 1, values: ["tg", "ky", "ru", "uz-Cyrl", "en"] },
      { type: "bool", name: "official", help: "True for the adopted text and for translations its authors approved." },
      { type: "date", name: "adopted_on", required: true },
      { type: "text", name: "signatories", max: 5000 },
      { type: "select", name: "status", required: true, maxSelect: 1, values: ["draft", "published"] },
      { type: "autodate", name: "created", onCreate: true, onUpdate: false },
      { type: "autodate", name: "updated", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE UNIQUE INDEX idx_appeals_slug_language ON appeals (slug, language)",
      "CREATE INDEX idx_appeals_status ON appeals (status)",
      "CREATE INDEX idx_appeals_updated ON appeals (updated)",
    ],
  });
  app.save(collection);

  // A self-relation needs the collection to exist first; put it right after
  // `official` so a translation's provenance reads together.
  collection.fields.addAt(collection.fields.fieldNames().indexOf("official") + 1, new RelationField({
    name: "translation_of", maxSelect: 1, cascadeDelete: false, collectionId: collection.id,
    help: "The original this text translates; empty for the original.",
  }));
  app.save(collection);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("appeals"));
});
