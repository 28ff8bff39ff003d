// Who the signed-in person is, for what the screen offers them. The API
// rules decide what they may read and do; these only choose the sections.

// aidWorker: the person handles the aid requests assigned to their
// organization (docs/data-model.md, role aid_worker).
export function aidWorker(me) {
  return me?.role === 'aid_worker' && !!me.organization;
}
