/// <reference path="../pb_data/types.d.ts" />

// Only a superuser makes someone a coordinator or an editor, or changes
// the account of one (docs/data-model.md, Who may do what).
//
// A coordinator could create users with any role and change anyone's role.
// A verification needs a second pair of eyes: a coordinator who is not the
// reporter. One coordinator's account (or one person, or whoever took
// their phone) could make a second account a coordinator and verify their
// own reports with it, make editors who publish to the public, or demote
// the other coordinators and editors. Coordinators now create volunteers
// and aid workers only, and change the role, organization, name and region
// of volunteers and aid workers only (as volunteer or aid worker); staff
// accounts are the superusers' to make and change, a coordinator's own
// role included (a coordinator made themselves an editor, who publishes).
// Each person still edits the rest of their own profile as before.
//
// The clauses are added beside whatever the rules are now, so a rule an
// operator edited keeps its meaning; `down` takes them off again.
const notStaff = ["volunteer", "aid_worker"];
const bodyRole = "(@request.body.role = ''" + notStaff.map((r) => ` || @request.body.role = '${r}'`).join("") + ")";
const clauses = {
  createRule: bodyRole,
  updateRule: "((id = @request.auth.id && @request.body.role:changed = false) || (role != 'coordinator' && role != 'editor'" +
    ` && (@request.body.role:changed = false${notStaff.map((r) => ` || @request.body.role = '${r}'`).join("")})))`,
};

const help = [
  "Only a coordinator or a superuser changes it. New accounts without one become volunteers. An aid worker handles the aid requests assigned to their organization.",
  "Coordinators make people volunteers or aid workers; only a superuser makes someone a coordinator or an editor, or changes their account. New accounts without one become volunteers. An aid worker handles the aid requests assigned to their organization.",
];

const setHelp = (users, to) => {
  const field = users.fields.getByName("role");
  if (field && (field.help || "") === help[1 - to]) {
    field.help = help[to];
  }
};

migrate((app) => {
  const users = app.findCollectionByNameOrId("users");
  for (const [rule, clause] of Object.entries(clauses)) {
    const current = users[rule];
    if (current === null || current === undefined || current === "") {
      continue; // superusers only, or anyone: an operator's choice
    }
    users[rule] = `(${current}) && ${clause}`;
  }
  setHelp(users, 1);
  app.save(users);
}, (app) => {
  const users = app.findCollectionByNameOrId("users");
  for (const [rule, clause] of Object.entries(clauses)) {
    const current = users[rule];
    const suffix = `) && ${clause}`;
    if (!current || !current.startsWith("(") || !current.endsWith(suffix)) {
      continue;
    }
    users[rule] = current.slice(1, current.length - suffix.length);
  }
  setHelp(users, 0);
  app.save(users);
});
