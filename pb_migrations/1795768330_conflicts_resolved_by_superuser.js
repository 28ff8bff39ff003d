/// <reference path="../pb_data/types.d.ts" />

// A superuser's resolution of a sync conflict names them, and is theirs
// (docs/sync.md, Conflicts and history).
//
// A superuser is no `users` record, so a conflict a superuser resolved left
// `resolved_by` empty: nobody was on record for the decision, and any
// reviewer of its domain could reword or reopen it. `resolved_by_superuser`
// holds the id of the superuser who resolved it (the least that names
// them: the dashboard looks the id up). The conflicts' request hook sets it
// when a superuser resolves or rewords a conflict, and clears it when a
// conflict is reopened or a superuser names a reviewer as `resolved_by`
// (syncapi/conflicts.go). The update rule keeps it read-only for everyone
// else and leaves a resolved conflict that names a superuser to
// superusers, as one a reviewer resolved is left to them; an open one is
// anyone's to resolve.
//
// The clause is added beside whatever the rule is now, so a rule an
// operator edited keeps its meaning; `down` takes it off again and drops
// the field.
const name = "resolved_by_superuser";
const clause = ` && (status != 'resolved' || ${name} = '') && @request.body.${name}:isset = false`;

migrate((app) => {
  const conflicts = app.findCollectionByNameOrId("sync_conflicts");
  if (!conflicts.fields.getByName(name)) {
    conflicts.fields.add(new TextField({
      name,
      max: 50,
      help: "The administrator (superuser id) who resolved it; set by the server.",
    }));
  }
  const rule = conflicts.updateRule;
  if (rule !== null && rule !== undefined && rule !== "") {
    conflicts.updateRule = `(${rule})${clause}`;
  }
  app.save(conflicts);
}, (app) => {
  const conflicts = app.findCollectionByNameOrId("sync_conflicts");
  const rule = conflicts.updateRule;
  const suffix = `)${clause}`;
  if (rule && rule.startsWith("(") && rule.endsWith(suffix)) {
    conflicts.updateRule = rule.slice(1, rule.length - suffix.length);
  }
  conflicts.fields.removeByName(name);
  app.save(conflicts);
});
