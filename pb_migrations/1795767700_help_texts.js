/// <reference path="../pb_data/types.d.ts" />

// The dashboard's help under fields whose rules changed in this release
// (docs/data-model.md): a report made anonymous at any status
// (1795767420), a future occurred_at lowered to now (workflow), and the
// aid workers of an organization (1795767600). A help text an operator
// rewrote is left as it is, both ways.
const texts = {
  incident_reports: {
    anonymous: [
      "Hide the reporter from everyone but superusers.",
      "Hide the reporter from everyone but the reporter and superusers. The reporter may turn it on at any status, and off only while the report is submitted.",
    ],
    occurred_at: [
      "When it happened (UTC), as precisely as known.",
      "When it happened (UTC), as precisely as known. A time later than now is lowered to now.",
    ],
  },
  users: {
    role: [
      "Only a coordinator or a superuser changes it. New accounts without one become volunteers.",
      "Only a coordinator or a superuser changes it. New accounts without one become volunteers. An aid worker handles the aid requests assigned to their organization.",
    ],
    organization: [
      "",
      "The aid organization the person works for; as an aid worker they handle the aid requests assigned to it. Only a coordinator or a superuser changes it.",
    ],
  },
};

// swap sets each field's help from texts[..][0] to [1] (to = 1) or back.
const swap = (app, to) => {
  for (const [name, fields] of Object.entries(texts)) {
    const collection = app.findCollectionByNameOrId(name);
    for (const [fieldName, pair] of Object.entries(fields)) {
      const field = collection.fields.getByName(fieldName);
      if (field && (field.help || "") === pair[1 - to]) {
        field.help = pair[to];
      }
    }
    app.save(collection);
  }
};

migrate((app) => swap(app, 1), (app) => swap(app, 0));
