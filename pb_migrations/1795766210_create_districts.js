/// <reference path="../pb_data/types.d.ts" />

// districts: the cities and districts of Sughd (Tajikistan) and Batken
// (Kyrgyzstan). Reference data: seeded by a later migration, readable by
// everyone, changed only by superusers. `code` is the stable key clients keep
// offline; ids are random like every other record.
migrate((app) => {
  const collection = new Collection({
    id: "aman_districts",
    type: "base",
    name: "districts",
    listRule: "",
    viewRule: "",
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [
      { type: "text", name: "code", required: true, max: 64, pattern: "^[a-z0-9-]+$",
        help: "Stable key: <country>-<region>-<name>[-city], e.g. tj-sughd-isfara." },
      { type: "text", name: "name_en", required: true, max: 100, presentable: true },
      { type: "text", name: "name_ru", required: true, max: 100 },
      { type: "text", name: "name_local", required: true, max: 100,
        help: "Name in Tajik (Sughd) or Kyrgyz (Batken) Cyrillic." },
      { type: "select", name: "kind", required: true, maxSelect: 1, values: ["city", "district"] },
      { type: "select", name: "region", required: true, maxSelect: 1, values: ["sughd", "batken", "other"] },
      { type: "select", name: "country", required: true, maxSelect: 1, values: ["tj", "kg"] },
      { type: "text", name: "soate", max: 20, pattern: "^[0-9]*$",
        help: "Kyrgyz SOATE code where known (Batken)." },
      { type: "autodate", name: "created", onCreate: true, onUpdate: false },
      { type: "autodate", name: "updated", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE UNIQUE INDEX idx_districts_code ON districts (code)",
      "CREATE INDEX idx_districts_region ON districts (region)",
    ],
  });
  app.save(collection);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("districts"));
});
