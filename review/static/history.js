// A record's history: the record_history rows the API returns for it (one
// per write: who, when, which fields, old → new), newest first, collapsed
// until opened (a phone screen; nothing is fetched before). The reviewers of
// the record's collection read them (changelog.ReviewRule); the API hides
// values the viewer may not see ({"hidden": true}) and blanks the actor
// when the submitter is hidden.
import { h, replace } from './dom.js';
import {
  date, fieldLabel, own, valueLabel, valuesOf,
} from './show.js';
import { reviews } from './conflicts.js';

const H = 'record_history';

// historyBox is a collapsed <details> that loads the history of the
// record when opened; null for those who do not review collection. It
// follows the record's changes (live.js sends "record-changed"): open, it
// puts the new rows on top; closed, it loads afresh when opened again.
export function historyBox(ctx, collection, id) {
  if (!reviews(ctx, collection)) return null;
  const list = h('ol', { class: 'history', id: 'history-list' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, ctx.t('review_more'));
  const box = h('details', { class: 'card follows', id: 'history' }, h('summary', null, h('strong', null, ctx.t('review_history'))), list, more);
  let page = 0;
  const names = new Map();
  const seqs = new Set(); // the rows listed: a page fetched after new rows came overlaps the one before
  const fetch = async (n) => {
    const res = await ctx.pb.collection(H).getList(n, 20, {
      filter: ctx.pb.filter('collection = {:c} && record_id = {:r}', { c: collection, r: id }),
      sort: '-seq',
    });
    await actorNames(ctx, res.items, names);
    const rows = res.items.filter((row) => !seqs.has(row.seq));
    for (const row of rows) seqs.add(row.seq);
    return { res, rows: rows.map((row) => historyRow(ctx, collection, row, names)) };
  };
  const next = async () => {
    page += 1;
    const { res, rows } = await fetch(page);
    if (page === 1 && !res.items.length) list.append(h('li', { class: 'muted empty' }, ctx.t('review_empty')));
    list.append(...rows);
    more.hidden = page >= res.totalPages;
  };
  const load = () => {
    page = 0;
    seqs.clear();
    replace(list);
    next().catch((err) => { page = 0; ctx.fail(err, H); });
  };
  more.addEventListener('click', () => next().catch((err) => ctx.fail(err, H)));
  box.addEventListener('toggle', () => {
    if (box.open && !page) load();
  });
  box.addEventListener('record-changed', () => {
    if (!page) return;
    if (!box.open) {
      page = 0; // loaded afresh when opened
      return;
    }
    fetch(1).then(({ res, rows }) => {
      // as many new rows as a page: some may lie beyond it
      if (rows.length >= res.items.length && res.items.length === 20) return load();
      if (rows.length) list.querySelector('.empty')?.remove();
      list.prepend(...rows);
    }).catch((err) => ctx.fail(err, H));
  });
  return box;
}

// actorNames looks up the names of the users the rows name, as far as the
// API lets the viewer read them (coordinators all users, others themselves).
async function actorNames(ctx, rows, names) {
  const ids = [...new Set(rows.filter((r) => r.actor_collection === 'users' && r.actor && !names.has(r.actor)).map((r) => r.actor))];
  if (!ids.length) return;
  for (const u of [ctx.me]) if (ids.includes(u.id)) names.set(u.id, u.name || u.email);
  const rest = ids.filter((x) => !names.has(x));
  if (!rest.length) return;
  try {
    const res = await ctx.pb.collection('users').getList(1, rest.length, {
      filter: rest.map((x, i) => ctx.pb.filter(`id = {:u${i}}`, { [`u${i}`]: x })).join(' || '),
      fields: 'id,name,email',
    });
    for (const u of res.items) names.set(u.id, u.name || u.email || u.id);
  } catch (err) {
    if (!err?.status) throw err;
  }
}

function who(ctx, row, names) {
  // an empty actor is a change by no account (Go code, a migration) or one
  // whose actor the API hides from the viewer: the row does not tell which.
  if (!row.actor) return ctx.t('review_no_actor');
  if (row.actor_collection === '_superusers') return ctx.t('review_by_admin');
  return names.get(row.actor) || row.actor;
}

// shown renders one side of a change as text.
function shown(ctx, collection, field, v) {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'object' && !Array.isArray(v) && v.hidden === true) return ctx.t('review_hidden');
  const values = valuesOf(ctx, collection, field);
  if (values && typeof v === 'string') return valueLabel(ctx, collection, field, v);
  if (values && Array.isArray(v)) return v.map((x) => valueLabel(ctx, collection, field, x)).join(', ') || '—';
  if (typeof v === 'boolean') return v ? ctx.t('review_yes') : ctx.t('review_no');
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(v) ? date(v) : v;
  return JSON.stringify(v);
}

function historyRow(ctx, collection, row, names) {
  const diff = row.diff && typeof row.diff === 'object' ? row.diff : {};
  const fields = Array.isArray(row.fields) ? row.fields : Object.keys(diff);
  const hidden = (d) => d && typeof d === 'object' && d.hidden === true && !('old' in d) && !('new' in d);
  return h('li', { 'data-seq': String(row.seq), 'data-rev': String(row.rev) },
    h('div', { class: 'line' }, h('strong', null, date(row.at)), ' · ', h('span', { class: 'actor' }, who(ctx, row, names)),
      ` · ${fieldLabel(ctx, H, 'rev')} ${row.rev}`,
      row.deleted ? h('span', { class: 'badge s-false' }, fieldLabel(ctx, H, 'deleted')) : null),
    fields.length ? h('ul', { class: 'changes' }, fields.map((f) => {
      const d = own(diff, f);
      return h('li', { 'data-field': f }, h('span', { class: 'field' }, fieldLabel(ctx, collection, f)), ': ',
        d === undefined ? null : hidden(d) ? ctx.t('review_hidden')
          : [h('span', { class: 'old' }, shown(ctx, collection, f, d?.old)), ' → ', h('span', { class: 'new' }, shown(ctx, collection, f, d?.new))]);
    })) : h('p', { class: 'muted small' }, ctx.t('review_history_unknown')));
}
