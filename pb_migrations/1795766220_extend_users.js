/// <reference path="../pb_data/types.d.ts" />

// users: the accounts of volunteers, coordinators and editors (readers need
// none). `role` drives every API rule. It is required; the accounts package
// makes a new account without one a volunteer. No rule grants anything to
// "volunteer" by name, so an account written around validation without a
// role still has the least access.
//
// Rules: a user sees and edits only themselves; coordinators list users and
// manage their role, organization and region but never their credentials.
// Self-signup may only ask for the volunteer role and no organization. Only superusers delete
// accounts (a reporter with reports cannot be deleted anyway: the relation is
// required).
migrate((app) => {
  const users = app.findCollectionByNameOrId("users");

  users.fields.add(new SelectField({
    name: "role", required: true, maxSelect: 1, values: ["volunteer", "coordinator", "editor"],
    help: "Only a coordinator or a superuser changes it. New accounts without one become volunteers.",
  }));
  users.fields.add(new SelectField({
    name: "language", maxSelect: 1, values: ["tg", "ky", "ru", "uz-Cyrl", "en"],
    help: "Preferred language of the interface and of notifications.",
  }));
  users.fields.add(new RelationField({
    name: "organization", maxSelect: 1, cascadeDelete: false,
    collectionId: app.findCollectionByNameOrId("organizations").id,
  }));
  users.fields.add(new SelectField({
    name: "region", maxSelect: 1, values: ["sughd", "batken", "other"],
  }));
  // Coordinators pick users in relation fields (reporter, verified_by,
  // author) by name in the dashboard.
  users.fields.getByName("name").presentable = true;
  // Keep created/updated last, as the dashboard reads left to right.
  for (const name of ["created", "updated"]) {
    const f = users.fields.getByName(name);
    users.fields.removeByName(name);
    users.fields.add(f);
  }
  users.addIndex("idx_users_role", false, "role", "");

  const self = "id = @request.auth.id";
  const coordinator = "@request.auth.role = 'coordinator'";
  users.listRule = `${self} || ${coordinator}`;
  users.viewRule = `${self} || ${coordinator}`;
  users.createRule = `(@request.body.role = '' || @request.body.role = 'volunteer' || ${coordinator})` +
    ` && (@request.body.organization = '' || ${coordinator})`;
  users.updateRule = [
    `(${self} && @request.body.role:changed = false && @request.body.organization:changed = false)`,
    `(${coordinator} && @request.body.email:changed = false && @request.body.password:isset = false` +
      ` && @request.body.verified:changed = false && @request.body.emailVisibility:changed = false)`,
  ].join(" || ");
  users.deleteRule = null;

  app.save(users);
}, (app) => {
  const users = app.findCollectionByNameOrId("users");
  users.removeIndex("idx_users_role");
  users.fields.getByName("name").presentable = false;
  for (const name of ["role", "language", "organization", "region"]) {
    users.fields.removeByName(name);
  }
  // PocketBase's defaults for the users collection.
  users.listRule = "id = @request.auth.id";
  users.viewRule = "id = @request.auth.id";
  users.createRule = "";
  users.updateRule = "id = @request.auth.id";
  users.deleteRule = "id = @request.auth.id";
  app.save(users);
});
