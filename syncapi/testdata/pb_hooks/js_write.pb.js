// Test-only: a JS hook that writes a record with $app.save, so the tests
// prove that JS hooks feed the sync change log like any other write path.
routerAdd("POST", "/test/js-write", (e) => {
  const c = $app.findCollectionByNameOrId("updates");
  const r = new Record(c);
  r.set("title", "Written by a JS hook");
  r.set("body", "Saved with $app.save.");
  r.set("language", "en");
  r.set("status", "published");
  r.set("author", e.requestInfo().body.author);
  $app.save(r);
  return e.json(200, { id: r.id });
});
