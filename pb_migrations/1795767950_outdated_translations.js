/// <reference path="../pb_data/types.d.ts" />

// Translations that fell behind their original are marked (docs/data-model.md,
// Translations of updates and fact-checks).
//
// A translation is written from its original's text. When an editor later
// corrected the original (a figure, a name, a fact-check's explanation, or
// its verdict, which is carried to every translation), the translations kept
// the old text, and a reader in Tajik could be told "true" above an
// explanation that argued "false", with nothing saying so. `outdated` is set
// on every translation of an original whose translated text changes
// (workflow.followOriginal, in the same transaction), and cleared when the
// translation's own text is edited, or by an editor who finds the change
// does not touch it. Readers' clients and the content endpoint show it.
const collections = ["updates", "fact_checks"];
const name = "outdated";
const help = "Set when the original's text changed after this translation was written; " +
  "cleared when the translation's text is edited. Readers are told.";

migrate((app) => {
  for (const c of collections) {
    const collection = app.findCollectionByNameOrId(c);
    if (collection.fields.getByName(name)) {
      continue;
    }
    collection.fields.add(new BoolField({ name, help }));
    app.save(collection);
  }
}, (app) => {
  for (const c of collections) {
    const collection = app.findCollectionByNameOrId(c);
    if (!collection.fields.getByName(name)) {
      continue;
    }
    collection.fields.removeByName(name);
    app.save(collection);
  }
});
