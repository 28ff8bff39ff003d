/// <reference path="../pb_data/types.d.ts" />

// A coordinator manages others' accounts but never reads their e-mail
// address unless its owner made it visible (emailVisibility). The users
// update rule refused a coordinator's change of e-mail with
// `@request.body.email:changed = false`, which compares the value sent with
// the stored one: PATCH users/ID {"email": "<guess>"} answered 200 when the
// guess was the person's address and 404 otherwise, so a coordinator could
// tell which account (name, role, organization) an address belongs to.
// Now a coordinator may send another user's e-mail only where they can
// read it, and then only unchanged (a whole record sent back); for a hidden
// address every value is refused alike. Users still change their own, and
// superusers bypass rules. The guard is added to whatever the rule is now;
// `down` takes it off again.
const guard = "(id = @request.auth.id || @request.body.email:isset = false" +
  " || (emailVisibility = true && @request.body.email:changed = false))";

migrate((app) => {
  const users = app.findCollectionByNameOrId("users");
  if (users.updateRule === null || users.updateRule === undefined) {
    return; // superusers only: nothing to guard
  }
  users.updateRule = users.updateRule === "" ? guard : `(${users.updateRule}) && ${guard}`;
  app.save(users);
}, (app) => {
  const users = app.findCollectionByNameOrId("users");
  const rule = users.updateRule;
  if (rule === guard) {
    users.updateRule = "";
  } else if (rule && rule.startsWith("(") && rule.endsWith(`) && ${guard}`)) {
    users.updateRule = rule.slice(1, rule.length - `) && ${guard}`.length);
  } else {
    return;
  }
  app.save(users);
});
