/// <reference path="../pb_data/types.d.ts" />

// organizations: aid and civil-society groups that aid requests are assigned
// to. Reference data kept by superusers; the public sees only active ones.
// No organization is seeded: real groups are added by an administrator, never
// invented here.
migrate((app) => {
  const collection = new Collection({
    id: "aman_organizations",
    type: "base",
    name: "organizations",
    listRule: "active = true || @request.auth.role = 'coordinator'",
    viewRule: "active = true || @request.auth.role = 'coordinator'",
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [
      { type: "text", name: "name", required: true, max: 200, presentable: true,
        help: "Name as the organization writes it." },
      { type: "select", name: "kind", maxSelect: 1,
        values: ["ngo", "community_group", "medical", "legal_aid", "humanitarian", "government", "international", "other"] },
      { type: "select", name: "region", maxSelect: 1, values: ["sughd", "batken", "other"] },
      { type: "select", name: "country", maxSelect: 1, values: ["tj", "kg", "other"] },
      { type: "text", name: "contact", max: 500,
        help: "Public contact (office phone, e-mail, address). Never a private person's number." },
      { type: "url", name: "website" },
      { type: "bool", name: "active", help: "Only active organizations are shown to the public and can be assigned." },
      { type: "autodate", name: "created", onCreate: true, onUpdate: false },
      { type: "autodate", name: "updated", onCreate: true, onUpdate: true },
    ],
    indexes: [
      "CREATE INDEX idx_organizations_active ON organizations (active)",
      "CREATE INDEX idx_organizations_updated ON organizations (updated)",
    ],
  });
  app.save(collection);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("organizations"));
});
