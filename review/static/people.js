// Who the signed-in person is, for what the screen offers them. The API
// rules decide what they may read and do; these only choose the sections.

// aidWorker: the person handles the aid requests assigned to their
// organization (docs/data-model.md, role aid_worker): one whose
// organization is retired (inactive) reaches none of them, and is shown
// what one with no organization is. me is the user as the screen reads it,
// with the organization expanded as the organizations' rules let them read
// it (app.js, refresh): an aid worker reads theirs only while it is active.
export function aidWorker(me) {
  return me?.role === 'aid_worker' && !!me.organization && me.expand?.organization?.active === true;
}
