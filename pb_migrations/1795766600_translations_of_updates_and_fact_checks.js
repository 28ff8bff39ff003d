/// <reference path="../pb_data/types.d.ts" />

// updates and fact_checks in several languages: a translation points at its
// original through `translation_of`, like an appeal's. The original and its
// translations form a group, served by /api/aman/content (docs/localization.md).
//
// Invariants:
// - one version per language in a group: the unique index below refuses a
//   second translation in one language; the locale package's validation
//   (locale/translations.go) refuses a translation in the original's language,
//   a translation of a translation and an original with translations becoming
//   a translation (the groups stay one level deep);
// - translation_of names a record of the same collection (the relation field)
//   that the writer may read (the read rule applied to the target; editors
//   read every update and fact-check today, so this keeps the rules in step
//   if the read rule narrows).
// The other rules (author is the creator, verified reports only) are kept
// exactly as they were.
const collections = ["updates", "fact_checks"];

function indexName(name) {
  return `idx_${name}_translation_language`;
}

migrate((app) => {
  const editor = "@request.auth.role = 'editor'";
  const targetReadable = "(@request.body.translation_of = ''" +
    ` || @request.body.translation_of.status = 'published' || ${editor})`;

  for (const name of collections) {
    const collection = app.findCollectionByNameOrId(name);
    collection.fields.addAt(collection.fields.fieldNames().indexOf("language") + 1, new RelationField({
      name: "translation_of", maxSelect: 1, cascadeDelete: false, collectionId: collection.id,
      help: "The original this text translates (another language, same content); empty for the original.",
    }));
    collection.addIndex(indexName(name), true, "translation_of, language", "translation_of != ''");
    collection.createRule = `${collection.createRule} && ${targetReadable}`;
    collection.updateRule = `${collection.updateRule} && ${targetReadable}`;
    app.save(collection);
  }
}, (app) => {
  for (const name of collections) {
    const collection = app.findCollectionByNameOrId(name);
    const suffix = " && (@request.body.translation_of = ''";
    for (const rule of ["createRule", "updateRule"]) {
      const at = collection[rule].indexOf(suffix);
      if (at >= 0) {
        collection[rule] = collection[rule].slice(0, at);
      }
    }
    collection.removeIndex(indexName(name));
    collection.fields.removeByName("translation_of");
    app.save(collection);
  }
});
