// Aid requests. Coordinators list them by status and urgency, acknowledge,
// assign an active organization, move them along and close or cancel them;
// the aid workers of the organization a request is assigned to acknowledge
// it, move it between acknowledged, in progress and fulfilled and write its
// notes.
// The API rules decide which requests each lists and which fields each sees.
import { h, replace } from './dom.js';
import {
  act, backLink, chips, date, details, pagedList, statusBadge, textArea, valueLabel,
} from './show.js';
import { openConflicts } from './conflicts.js';
import { aidWorker } from './people.js';
import { historyBox } from './history.js';
import * as live from './live.js';

const C = 'aid_requests';
const statuses = ['open', 'acknowledged', 'in_progress', 'fulfilled', 'closed', 'cancelled'];
let filter = 'active';
let urgency = '';

// next statuses from each (docs/workflow.md); members only to these three,
// from these and open (the update rule of 1795767800_aid_worker_refinements.js).
const coordinatorMoves = {
  open: ['acknowledged', 'cancelled'],
  acknowledged: ['in_progress', 'fulfilled', 'cancelled', 'open'],
  in_progress: ['fulfilled', 'cancelled', 'acknowledged'],
  fulfilled: ['closed', 'in_progress'],
  closed: [],
  cancelled: ['open'],
};
const memberStatuses = ['acknowledged', 'in_progress', 'fulfilled'];
const memberWrites = ['open', ...memberStatuses];

export async function aidView(ctx, view, id) {
  if (id) return aidDetail(ctx, view, id);
  const coordinator = ctx.me.role === 'coordinator';
  const listBox = h('div');
  const options = [{ key: 'active', label: ctx.t('review_active') },
    ...statuses.map((s) => ({ key: s, label: valueLabel(ctx, C, 'status', s) })),
    { key: 'all', label: ctx.t('review_all') }];
  const urgencies = Object.entries(ctx.labels.collections[C]?.fields?.urgency?.values || {});
  const urgencySelect = h('select', { id: 'urgency', 'aria-label': ctx.t('review_any_urgency') },
    h('option', { value: '' }, ctx.t('review_any_urgency')),
    urgencies.map(([v, l]) => h('option', { value: v, selected: v === urgency }, l)));
  urgencySelect.addEventListener('change', () => { urgency = urgencySelect.value; aidView(ctx, view); });
  replace(view,
    !coordinator && aidWorker(ctx.me) ? h('h1', null, ctx.t('review_assigned_to_you')) : null,
    chips(options, filter, (key) => { filter = key; aidView(ctx, view); }), urgencySelect, listBox);
  const parts = [];
  // an aid worker's list is what the heading says: their organization's
  // requests (their own, as a requester, live in the phone app)
  if (!coordinator && aidWorker(ctx.me)) parts.push(ctx.pb.filter('assigned_org = {:o}', { o: ctx.me.organization }));
  if (filter === 'active') parts.push("(status = 'open' || status = 'acknowledged' || status = 'in_progress')");
  else if (filter !== 'all') parts.push(ctx.pb.filter('status = {:s}', { s: filter }));
  if (urgency) parts.push(ctx.pb.filter('urgency = {:u}', { u: urgency }));
  // urgency's codes sort critical < high < normal: most urgent first.
  const opts = { sort: 'urgency,created', expand: 'district,assigned_org' };
  if (parts.length) opts.filter = parts.join(' && ');
  await pagedList(ctx, listBox, C, 'aid', opts, (r) => [
    h('span', { class: 'line' }, statusBadge(ctx, C, r.status), ' ',
      h('strong', { class: `u-${r.urgency}` }, valueLabel(ctx, C, 'urgency', r.urgency)), ' · ',
      (r.needs || []).map((n) => valueLabel(ctx, C, 'needs', n)).join(', ')),
    h('span', { class: 'muted small' }, [valueLabel(ctx, C, 'region', r.region), r.place, date(r.created)].filter(Boolean).join(' · ')),
    r.expand?.assigned_org ? h('span', { class: 'small' }, `→ ${r.expand.assigned_org.name}`, retired(ctx, r)) : null,
  ]);
}

async function aidDetail(ctx, view, id) {
  const again = () => aidDetail(ctx, view, id);
  const r = await ctx.pb.collection(C).getOne(id, { expand: 'district,assigned_org,requester' });
  const coordinator = ctx.me.role === 'coordinator';
  const member = aidWorker(ctx.me) && r.assigned_org === ctx.me.organization;
  let orgs = [];
  if (coordinator) orgs = await ctx.pb.collection('organizations').getFullList({ filter: 'active = true', sort: 'name' });
  const conflicts = await openConflicts(ctx, C, id);
  // typed into while live refresh fetched it again: kept, not replaced
  if (live.interrupted(ctx, view)) return;
  replace(view,
    backLink(ctx, 'aid'),
    h('h1', null, statusBadge(ctx, C, r.status), ' ', valueLabel(ctx, C, 'urgency', r.urgency), retired(ctx, r)),
    conflicts,
    // members write only the requests they handle (the update rule: open, acknowledged, in progress, fulfilled)
    coordinator || (member && memberWrites.includes(r.status)) ? actions(ctx, r, again, coordinator, orgs) : null,
    details(ctx, C, r),
    historyBox(ctx, C, id));
  live.record(ctx, view, C, r, again);
}

// retired is a badge on a request assigned to an organization no longer
// active (organizations.active = false), for the coordinators, who read
// such organizations and reassign the request: its aid workers reach it no
// more (docs/data-model.md). null otherwise.
function retired(ctx, r) {
  const org = r.expand?.assigned_org;
  if (ctx.me.role !== 'coordinator' || !org || org.active !== false) return null;
  return [' ', h('span', { class: 'badge s-retired', 'data-retired': org.id }, ctx.t('review_org_retired'))];
}

function actions(ctx, r, again, coordinator, orgs) {
  const notes = textArea(ctx, C, 'notes', r.notes, 4);
  const withNotes = (body) => (notes.input.value !== (r.notes || '') ? { ...body, notes: notes.input.value } : body);
  let moves = coordinatorMoves[r.status] || [];
  if (!coordinator) moves = memberWrites.includes(r.status) ? moves.filter((s) => memberStatuses.includes(s)) : [];
  const box = h('section', { class: 'card actions', id: 'actions' }, h('h2', null, ctx.t('review_change_status')),
    h('div', { class: 'buttons' }, moves.map((s) => h('button', {
      type: 'button', id: `act-${s}`, class: s === 'acknowledged' && r.status === 'open' ? 'primary' : '',
      onclick: () => act(ctx, C, r.id, withNotes({ status: s }), again),
    }, valueLabel(ctx, C, 'status', s)))));
  if (coordinator) {
    const select = h('select', { id: 'in-assigned_org', name: 'assigned_org' },
      h('option', { value: '' }, ctx.t('review_no_organization')),
      orgs.map((o) => h('option', { value: o.id, selected: o.id === r.assigned_org }, o.name)),
      // a retired organization is listed no more: the select shows it, not "No organization"
      retired(ctx, r) ? h('option', { value: r.assigned_org, selected: true, disabled: true },
        `${r.expand.assigned_org.name} (${ctx.t('review_org_retired')})`) : null);
    box.append(h('div', { class: 'input' }, h('label', { htmlFor: 'in-assigned_org' }, ctx.labels.collections[C]?.fields?.assigned_org?.label || 'assigned_org'),
      h('div', { class: 'row' }, select, h('button', {
        type: 'button', id: 'act-assign', onclick: () => act(ctx, C, r.id, withNotes({ assigned_org: select.value }), again),
      }, ctx.t('review_assign')))));
  }
  box.append(notes.el, h('button', { type: 'button', id: 'act-save', onclick: () => act(ctx, C, r.id, { notes: notes.input.value }, again) }, ctx.t('review_save')));
  return box;
}
