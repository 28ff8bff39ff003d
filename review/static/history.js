// A record's history: the record_history rows the API returns for it (one
// per write: who, when, which fields, old → new), newest first, collapsed
// until opened (a phone screen; nothing is fetched before). The reviewers of
// the record's collection read them (changelog.ReviewRule); the API hides
// values the viewer may not see ({"hidden": true}) and, when the submitter
// is hidden, blanks the actor of the rows of whoever is or was it.
// Relations read as the names of the records they name, where the viewer
// may read them (relName), else as ids.
import { h, replace } from './dom.js';
import {
  date, fieldLabel, own, relName, valueLabel, valuesOf,
} from './show.js';
import { reviews } from './conflicts.js';

const H = 'record_history';

// relations: the collection each relation field of a collection with a
// history names (pb_migrations), so that its old and new ids read as names.
const relations = {
  incident_reports: { reporter: 'users', district: 'districts', verified_by: 'users' },
  aid_requests: {
    requester: 'users', district: 'districts', assigned_org: 'organizations', related_incident: 'incident_reports',
  },
  updates: { translation_of: 'updates', related_incidents: 'incident_reports', author: 'users' },
  fact_checks: { translation_of: 'fact_checks', author: 'users' },
};

// fields asked for each collection's names: what relName reads.
const nameFields = {
  users: 'id,name,email',
  districts: 'id,collectionName,name_local,name_ru,name_en,code',
  organizations: 'id,collectionName,name',
  incident_reports: 'id,collectionName,category,place,occurred_at',
  updates: 'id,collectionName,title',
  fact_checks: 'id,collectionName,claim',
};

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
  const names = new Map(); // collection → id → name
  const seqs = new Map(); // seq → the row listed: a page fetched after new rows came overlaps the one before
  // fetch gets page n; on a refresh (again), the ids the viewer could not
  // read before are asked for again with the new rows' (one request per
  // collection still), and the rows listed that show one the viewer reads
  // now are drawn again with its name (a report an editor reads again once
  // verified again).
  const fetch = async (n, again = false) => {
    const res = await ctx.pb.collection(H).getList(n, 20, {
      filter: ctx.pb.filter('collection = {:c} && record_id = {:r}', { c: collection, r: id }),
      sort: '-seq',
    });
    const nowNamed = await lookUpNames(ctx, collection, res.items, names, again);
    if (nowNamed) {
      for (const li of list.querySelectorAll(':scope > li[data-seq]')) {
        const row = seqs.get(Number(li.dataset.seq));
        if (row) li.replaceWith(historyRow(ctx, collection, row, names));
      }
    }
    const rows = res.items.filter((row) => !seqs.has(row.seq));
    for (const row of rows) seqs.set(row.seq, row);
    return { res, rows: rows.map((row) => historyRow(ctx, collection, row, names)) };
  };
  const next = async (again = false) => {
    page += 1;
    const { res, rows } = await fetch(page, again);
    if (page === 1 && !res.items.length) list.append(h('li', { class: 'muted empty' }, ctx.t('review_empty')));
    list.append(...rows);
    more.hidden = page >= res.totalPages;
  };
  const load = () => {
    page = 0;
    seqs.clear();
    replace(list);
    next(true).catch((err) => { page = 0; ctx.fail(err, H); });
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
    fetch(1, true).then(({ res, rows }) => {
      // as many new rows as a page: some may lie beyond it
      if (rows.length >= res.items.length && res.items.length === 20) return load();
      if (rows.length) list.querySelector('.empty')?.remove();
      list.prepend(...rows);
    }).catch((err) => ctx.fail(err, H));
  });
  return box;
}

// never holds, for the page's life, the users the viewer asked for and
// could not read while their role lets them read no one else (users'
// rules: themselves, or everyone for a coordinator): an editor or an aid
// worker will never read them, so no refresh asks for them again. It
// belongs to one viewer and role: another (signed in, or changed) starts
// anew.
const never = { who: '', ids: new Set() };

function neverOf(ctx) {
  const who = `${ctx.me?.id}/${ctx.me?.role}`;
  if (never.who !== who) {
    never.who = who;
    never.ids = new Set();
  }
  return never.ids;
}

// named lists the ids of records the rows name that have no name yet, by
// collection: the users who wrote them and the values of relation fields
// (old and new; a value hidden from the viewer is no id). again adds
// every id asked for before (named or not): a refresh asks for them once
// more, since a record may be readable now, or no longer (deleted, a
// report reopened for an editor, the viewer's role changed), but for the
// users the viewer can never read (never).
function named(ctx, collection, rows, names, again) {
  const want = new Map();
  const skip = neverOf(ctx);
  const add = (c, id, ask = false) => {
    if (typeof id !== 'string' || !id || (!ask && names.get(c)?.has(id))) return;
    if (c === 'users' && skip.has(id)) return;
    if (!want.has(c)) want.set(c, new Set());
    want.get(c).add(id);
  };
  if (again) {
    for (const [c, known] of names) {
      for (const id of known.keys()) add(c, id, true);
    }
  }
  const rel = own(relations, collection) || {};
  for (const row of rows) {
    if (row.actor_collection === 'users') add('users', row.actor);
    const diff = row.diff && typeof row.diff === 'object' ? row.diff : {};
    for (const f of Object.keys(rel)) {
      const d = own(diff, f);
      if (!d || typeof d !== 'object') continue;
      for (const v of [d.old, d.new]) for (const id of [v].flat()) add(rel[f], id);
    }
  }
  return want;
}

// lookUpNames looks up the names of the records the rows name, one list
// request per collection (more only past 100 ids), as far as the API lets
// the viewer read them (users: coordinators all, others themselves;
// organizations: coordinators all, others the active ones; reports: editors
// the verified ones): an id the viewer may not read keeps no name and is
// shown as it is. It reports whether an id asked for again has another
// name now, or none any more (again: the rows listed are drawn anew).
async function lookUpNames(ctx, collection, rows, names, again = false) {
  const asks = [];
  const before = new Map();
  for (const [c, set] of named(ctx, collection, rows, names, again)) {
    if (!names.has(c)) names.set(c, new Map());
    const known = names.get(c);
    if (c === 'users' && set.has(ctx.me.id)) {
      known.set(ctx.me.id, ctx.me.name || ctx.me.email);
      set.delete(ctx.me.id);
    }
    const ids = [...set];
    for (const x of ids) if (known.has(x)) before.set(`${c}/${x}`, known.get(x));
    for (let i = 0; i < ids.length; i += 100) asks.push(lookUp(ctx, c, ids.slice(i, i + 100), known));
  }
  await Promise.all(asks);
  return [...before].some(([k, name]) => {
    const i = k.indexOf('/');
    return names.get(k.slice(0, i))?.get(k.slice(i + 1)) !== name;
  });
}

// lookUp fetches the names of ids of collection c into known, in one
// request: an id the answer leaves out is not readable (kept as '', so
// that the next page's rows do not ask for it; a refresh does), and a
// user's, for a viewer who reads no one else, never will be (never).
async function lookUp(ctx, c, ids, known) {
  try {
    const res = await ctx.pb.collection(c).getList(1, ids.length, {
      filter: ids.map((x, j) => ctx.pb.filter(`id = {:r${j}}`, { [`r${j}`]: x })).join(' || '),
      fields: nameFields[c],
    });
    const found = new Set();
    for (const r of res.items) {
      found.add(r.id);
      known.set(r.id, c === 'users' ? r.name || r.email || r.id : relName(ctx, r));
    }
    for (const id of ids) {
      if (found.has(id)) continue;
      known.set(id, '');
      if (c === 'users' && ctx.me?.role !== 'coordinator') neverOf(ctx).add(id);
    }
  } catch (err) {
    if (!err?.status) throw err;
  }
}

function who(ctx, row, names) {
  // an empty actor is a change by no account (Go code, a migration) or one
  // whose actor the API hides from the viewer: the row does not tell which.
  if (!row.actor) return ctx.t('review_no_actor');
  if (row.actor_collection === '_superusers') return ctx.t('review_by_admin');
  return names.get('users')?.get(row.actor) || row.actor;
}

// shown renders one side of a change as text: a relation's ids as the
// names looked up for them.
function shown(ctx, collection, field, v, names) {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'object' && !Array.isArray(v) && v.hidden === true) return ctx.t('review_hidden');
  const target = own(own(relations, collection), field);
  if (target && (typeof v === 'string' || Array.isArray(v))) {
    return [v].flat().map((id) => names.get(target)?.get(id) || id).join(', ') || '—';
  }
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
          : [h('span', { class: 'old' }, shown(ctx, collection, f, d?.old, names)), ' → ', h('span', { class: 'new' }, shown(ctx, collection, f, d?.new, names))]);
    })) : h('p', { class: 'muted small' }, ctx.t('review_history_unknown')));
}
