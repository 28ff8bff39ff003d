// Sync conflicts: offline edits that lost to a change on the server, or
// that a rule refused, kept in sync_conflicts so that nothing is lost
// (docs/sync.md, Conflicts and history). The reviewers of the record's
// collection read and resolve them: coordinators those of the field work,
// editors those of updates and fact-checks. The API decides which each
// lists and blanks what the viewer may not see (the submitter of an
// anonymous report, hidden values): the screen shows what it returns.
import { h, replace } from './dom.js';
import {
  backLink, chips, collectionLabel, date, fieldLabel, own, pagedList, valueLabel, valuesOf,
} from './show.js';
import * as live from './live.js';

const C = 'sync_conflicts';
let filter = 'open';

// sectionOf is the screen's section showing records of collection.
export const sectionOf = {
  incident_reports: 'reports', aid_requests: 'aid', updates: 'updates', fact_checks: 'fact_checks',
};

// reviews: the collections whose conflicts the user reviews
// (changelog.ReviewRule); the API is the judge, this only spares requests.
export function reviews(ctx, collection) {
  const role = ctx.me?.role;
  if (role === 'coordinator') return ['incident_reports', 'aid_requests', 'organizations', 'districts'].includes(collection);
  if (role === 'editor') return collection === 'updates' || collection === 'fact_checks';
  return false;
}

// #/conflicts, #/conflicts/<id>, #/conflicts/record/<collection>/<record id>.
export async function conflictsView(ctx, view, id, arg, recordArg) {
  if (id && id !== 'record') return conflictDetail(ctx, view, id);
  const [collection, recordId] = id === 'record' ? [arg, recordArg] : ['', ''];
  const listBox = h('div');
  const options = ['open', 'resolved'].map((s) => ({ key: s, label: valueLabel(ctx, C, 'status', s) }))
    .concat({ key: 'all', label: ctx.t('review_all') });
  replace(view,
    recordId ? [own(sectionOf, collection) ? h('a', { href: `#/${own(sectionOf, collection)}/${recordId}`, class: 'back' }, `← ${collectionLabel(ctx, collection)}`) : null,
      h('h1', null, ctx.t('review_record_conflicts'))] : null,
    chips(options, filter, (key) => { filter = key; conflictsView(ctx, view, id, arg, recordArg); }),
    listBox);
  const parts = [];
  if (filter !== 'all') parts.push(ctx.pb.filter('status = {:s}', { s: filter }));
  if (recordId) parts.push(ctx.pb.filter('collection = {:c} && record_id = {:r}', { c: collection, r: recordId }));
  // open before resolved ('open' < 'resolved'), the oldest first: the
  // longest waiting.
  const opts = { sort: filter === 'resolved' ? '-updated' : 'status,created' };
  if (parts.length) opts.filter = parts.join(' && ');
  await pagedList(ctx, listBox, C, 'conflicts', opts, (c) => [
    h('span', { class: 'line' }, h('span', { class: `badge s-${c.status}` }, valueLabel(ctx, C, 'status', c.status)), ' ',
      h('strong', null, valueLabel(ctx, C, 'kind', c.kind)), ' · ', collectionLabel(ctx, c.collection),
      c.delete ? ` · ${fieldLabel(ctx, C, 'delete')}` : ''),
    h('span', { class: 'muted small' }, [date(c.created), c.record_id].filter(Boolean).join(' · ')),
    fieldList(ctx, c) ? h('span', { class: 'excerpt' }, fieldList(ctx, c)) : null,
  ]);
}

// fieldList names the fields a conflict is about: those in conflict, else
// those the phone sent.
function fieldList(ctx, c) {
  const names = Array.isArray(c.fields) && c.fields.length ? c.fields : Object.keys(c.data || {});
  return names.map((f) => (f === '*' ? '*' : fieldLabel(ctx, c.collection, f))).join(', ');
}

// shown renders a value the phone sent or the server held, as text.
function shown(ctx, collection, field, v) {
  if (v === undefined) return '';
  if (v === null || v === '') return '—';
  if (v && typeof v === 'object' && v.hidden === true && Object.keys(v).length === 1) return ctx.t('review_hidden');
  const values = valuesOf(ctx, collection, field);
  if (values && typeof v === 'string') return valueLabel(ctx, collection, field, v);
  if (values && Array.isArray(v)) return v.map((x) => valueLabel(ctx, collection, field, x)).join(', ');
  if (typeof v === 'boolean') return v ? ctx.t('review_yes') : ctx.t('review_no');
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(v) ? date(v) : v;
  return JSON.stringify(v);
}

function userName(u) {
  return u ? u.name || u.email || u.id : '';
}

// conflictDetail renders a conflict's page; was is the conflict as the
// page showed it before live refresh rendered it again (live.js): one
// resolved since then says so.
async function conflictDetail(ctx, view, id, was) {
  const again = () => conflictDetail(ctx, view, id);
  const c = await ctx.pb.collection(C).getOne(id, { expand: 'user,resolved_by' });
  const R = c.collection;
  // the record it is about, linked when the user may read it (it may be
  // gone, or a draft, or the user may never have been shown it).
  let about = h('span', null, collectionLabel(ctx, R), ' · ', c.record_id || '—');
  if (own(sectionOf, R) && c.record_id) {
    try {
      await ctx.pb.collection(R).getOne(c.record_id, { fields: 'id' });
      about = h('a', { href: `#/${own(sectionOf, R)}/${c.record_id}`, id: 'conflict-record' }, about);
    } catch (err) {
      if (err?.status !== 404 && err?.status !== 403) throw err;
      about = [about, ' ', h('span', { class: 'muted small', id: 'record-unreadable' }, ctx.t('review_record_unreadable'))];
    }
  }
  const data = c.data && typeof c.data === 'object' ? c.data : {};
  const server = c.server_state && typeof c.server_state === 'object' ? c.server_state : {};
  const conflicting = new Set(Array.isArray(c.fields) ? c.fields : []);
  const names = [...new Set([...Object.keys(data), ...[...conflicting].filter((f) => f !== '*')])];
  const table = h('table', { class: 'compare', id: 'compare' },
    h('thead', null, h('tr', null, h('th', null, ctx.t('review_field')), h('th', null, fieldLabel(ctx, C, 'data')),
      h('th', null, fieldLabel(ctx, C, 'server_state')))),
    h('tbody', null, names.map((f) => h('tr', { class: conflicting.has(f) ? 'conflicting' : '', 'data-field': f },
      h('th', { scope: 'row' }, fieldLabel(ctx, R, f), conflicting.has(f) ? h('span', { class: 'flag' }, ` ${ctx.t('review_conflicting')}`) : null),
      h('td', { class: 'sent' }, shown(ctx, R, f, own(data, f))),
      h('td', { class: 'server' }, shown(ctx, R, f, own(server, f)))))));
  const err = c.error && typeof c.error === 'object' && c.error.message ? c.error : null;
  const errorBox = err ? h('section', { class: 'card error-box', id: 'conflict-error' },
    h('h2', null, fieldLabel(ctx, C, 'error')), h('p', null, err.message),
    err.fields && typeof err.fields === 'object' ? h('ul', null, Object.entries(err.fields)
      .map(([f, v]) => h('li', null, `${fieldLabel(ctx, R, f)}: ${own(v, 'message') || own(v, 'code') || ''}`))) : null) : null;
  const who = c.expand?.user ? userName(c.expand.user) : c.user;
  const facts = h('dl', { class: 'fields', id: 'conflict-facts' },
    h('dt', null, fieldLabel(ctx, C, 'collection')), h('dd', { class: 'f-about' }, about),
    h('dt', null, fieldLabel(ctx, C, 'kind')), h('dd', { class: 'f-kind' }, valueLabel(ctx, C, 'kind', c.kind),
      c.delete ? ` · ${fieldLabel(ctx, C, 'delete')}` : ''),
    h('dt', null, fieldLabel(ctx, C, 'created')), h('dd', { class: 'f-created' }, date(c.created)),
    who ? [h('dt', null, fieldLabel(ctx, C, 'user')), h('dd', { class: 'f-user' }, who)] : null,
    c.client ? [h('dt', null, fieldLabel(ctx, C, 'client')), h('dd', { class: 'f-client' }, c.client)] : null,
    h('dt', null, fieldLabel(ctx, C, 'base_rev')), h('dd', null, String(c.base_rev ?? '')),
    h('dt', null, fieldLabel(ctx, C, 'server_rev')), h('dd', null, String(c.server_rev ?? '')));
  const rest = Object.keys(server).filter((f) => !names.includes(f) && !['collectionId', 'collectionName', 'expand'].includes(f));
  const whole = rest.length ? h('details', { class: 'card', id: 'server-rest' },
    h('summary', null, ctx.t('review_other_server_fields')),
    h('dl', { class: 'fields' }, rest.map((f) => [h('dt', null, fieldLabel(ctx, R, f)), h('dd', null, shown(ctx, R, f, own(server, f)))]))) : null;
  // typed into while live refresh fetched it again: kept, not replaced
  if (live.interrupted(ctx, view)) return;
  const resolvedMeanwhile = was?.status === 'open' && c.status === 'resolved';
  replace(view,
    backLink(ctx, 'conflicts'),
    resolvedMeanwhile ? h('p', { class: 'note', id: 'resolved-elsewhere', role: 'status' }, ctx.t('review_resolved_elsewhere')) : null,
    h('h1', null, h('span', { class: `badge s-${c.status}`, id: 'conflict-status' }, valueLabel(ctx, C, 'status', c.status)), ' ',
      valueLabel(ctx, C, 'kind', c.kind), ' · ', collectionLabel(ctx, R)),
    resolution(ctx, c, again),
    errorBox,
    h('div', { class: 'scroll' }, table),
    facts,
    whole);
  // resolved or reworded on another screen: shown, or said over what was typed
  live.record(ctx, view, C, c, () => conflictDetail(ctx, view, id, c),
    (now) => (c.status === 'open' && now?.status === 'resolved' ? 'review_resolved_elsewhere' : 'review_changed_elsewhere'));
}

// resolution: resolve an open conflict with a text; reword or reopen one
// resolved by the user (or by nobody, before superusers' resolutions were
// named). One another reviewer resolved is theirs, and one a superuser
// resolved (resolved_by_superuser) the superusers' (the update rule: 404
// for anyone else).
function resolution(ctx, c, again) {
  const box = h('section', { class: 'card actions', id: 'resolution' }, h('h2', null, fieldLabel(ctx, C, 'resolution')));
  const save = async (body) => {
    ctx.flash();
    await ctx.busy(async () => {
      try {
        await ctx.pb.collection(C).update(c.id, body);
        await again();
        ctx.flash(ctx.t('review_saved'));
      } catch (err) {
        // another reviewer resolved it before this page heard of it: the
        // API answers 404 (theirs now), which would read as a conflict gone
        if (err?.status === 404 && await resolvedByOther(ctx, c.id)) ctx.flash(ctx.t('review_resolved_elsewhere'), 'error');
        else ctx.fail(err, C);
      }
    });
  };
  const text = h('textarea', { id: 'in-resolution', name: 'resolution', rows: 3, value: c.resolution || '' });
  const input = h('div', { class: 'input' }, h('label', { htmlFor: 'in-resolution' }, fieldLabel(ctx, C, 'resolution')), text);
  const button = (id, label, onclick, cls = '') => h('button', { type: 'button', id, class: cls, onclick }, label);
  if (c.status !== 'resolved') {
    box.append(h('p', { class: 'muted small' }, ctx.t('review_resolve_hint')), input, h('div', { class: 'buttons' },
      button('act-resolve', ctx.t('review_resolve'), () => save({ status: 'resolved', resolution: text.value }), 'primary')));
    return box;
  }
  const admin = !!c.resolved_by_superuser;
  const by = admin ? ctx.t('review_by_admin')
    : c.resolved_by ? (c.expand?.resolved_by ? userName(c.expand.resolved_by) : c.resolved_by) : '';
  box.append(h('p', { class: 'resolved-by' }, [by ? `${fieldLabel(ctx, C, 'resolved_by')}: ${by}` : null,
    date(c.updated)].filter(Boolean).join(' · ')));
  if (admin || (c.resolved_by && c.resolved_by !== ctx.me.id)) {
    box.append(h('p', { class: 'f-resolution' }, c.resolution || '—'), admin
      ? h('p', { class: 'muted small', id: 'resolved-by-admin' }, ctx.t('review_resolved_by_admin'))
      : h('p', { class: 'muted small', id: 'resolved-by-other' }, ctx.t('review_resolved_by_other')));
    return box;
  }
  box.append(input, h('div', { class: 'buttons' },
    button('act-save-resolution', ctx.t('review_save'), () => save({ resolution: text.value }), 'primary'),
    button('act-reopen-conflict', ctx.t('review_reopen_conflict'), () => save({ status: 'open' }))));
  return box;
}

// resolvedByOther: whether conflict id, still readable, is now resolved
// by another reviewer or a superuser.
async function resolvedByOther(ctx, id) {
  try {
    const now = await ctx.pb.collection(C).getOne(id, { fields: 'status,resolved_by,resolved_by_superuser' });
    return now.status === 'resolved' && (!!now.resolved_by_superuser || (!!now.resolved_by && now.resolved_by !== ctx.me.id));
  } catch {
    return false;
  }
}

// openConflicts is a link to the open conflicts about a record, for the
// reviewers of its collection, when there are any.
export async function openConflicts(ctx, collection, id) {
  if (!reviews(ctx, collection)) return null;
  const res = await ctx.pb.collection(C).getList(1, 1, {
    filter: ctx.pb.filter("collection = {:c} && record_id = {:r} && status = 'open'", { c: collection, r: id }),
    fields: 'id', skipTotal: false,
  });
  if (!res.totalItems) return null;
  return h('p', { class: 'note', id: 'open-conflicts' },
    h('a', { href: `#/conflicts/record/${collection}/${id}` }, `${ctx.t('review_open_conflicts')}: `, h('strong', { class: 'count' }, String(res.totalItems))));
}
