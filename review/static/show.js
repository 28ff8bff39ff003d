// How records are shown: labels for fields and select values (from
// GET /api/aman/labels), relations by their expanded names, lists with
// status filters and paging, a record's every field. Text only.
import { h, replace } from './dom.js';
import * as live from './live.js';

const skip = new Set(['collectionId', 'collectionName', 'expand']);

// order: fields in the dashboard's order (docs/data-model.md: who, when,
// where, what, then the review); the API's JSON has its keys sorted by
// name. Fields not listed follow.
const order = {
  incident_reports: ['reporter', 'anonymous', 'occurred_at', 'region', 'district', 'place', 'location',
    'location_precision', 'category', 'description', 'killed', 'injured', 'source_type', 'photos', 'language',
    'status', 'verification_note', 'verified_by', 'verified_at', 'sources', 'public_summary'],
  aid_requests: ['requester', 'beneficiary_name', 'contact_phone', 'region', 'district', 'place', 'location',
    'needs', 'people_count', 'vulnerable', 'urgency', 'status', 'assigned_org', 'notes', 'related_incident',
    'acknowledged_at'],
  updates: ['title', 'body', 'language', 'translation_of', 'outdated', 'region', 'status', 'published_at', 'sources',
    'related_incidents', 'related_unverified', 'author'],
  fact_checks: ['claim', 'claim_source', 'platform', 'verdict', 'explanation', 'evidence', 'language',
    'translation_of', 'outdated', 'status', 'published_at', 'author'],
};

function ordered(collection, record) {
  const first = (order[collection] || []).filter((f) => f in record);
  return [...first, ...Object.keys(record).filter((f) => !first.includes(f))];
}

// own is obj[key] when obj has key itself, else undefined: names and
// values come from records (a phone's conflict data may name "__proto__"
// or "constructor", a value may read "toString"), and obj[key] would
// answer those with Object.prototype's members.
export function own(obj, key) {
  return obj && typeof obj === 'object' && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function fieldInfo(ctx, collection, field) {
  return own(own(own(ctx.labels.collections, collection), 'fields'), field);
}

export function fieldLabel(ctx, collection, field) {
  return own(fieldInfo(ctx, collection, field), 'label') || field;
}

export function valueLabel(ctx, collection, field, value) {
  return own(own(fieldInfo(ctx, collection, field), 'values'), value) || value;
}

// valuesOf is the labels of a select field's values, if it is one.
export function valuesOf(ctx, collection, field) {
  return own(fieldInfo(ctx, collection, field), 'values');
}

export function collectionLabel(ctx, collection) {
  return own(own(ctx.labels.collections, collection), 'label') || collection;
}

// date shows PocketBase's "2026-11-26 14:05:00.000Z" as "2026-11-26 14:05 UTC".
export function date(value) {
  return value ? `${value.slice(0, 16)} UTC` : '';
}

// relName is the name of a relation's record (expanded, or looked up).
export function relName(ctx, rec) {
  if (!rec) return '';
  if (rec.collectionName === 'districts') {
    return (ctx.lang === 'ru' ? rec.name_ru : ctx.lang === 'en' ? rec.name_en : rec.name_local) || rec.name_en || rec.code;
  }
  if (rec.collectionName === 'incident_reports') {
    return [valueLabel(ctx, 'incident_reports', 'category', rec.category), rec.place, date(rec.occurred_at)].filter(Boolean).join(' · ');
  }
  return rec.name || rec.title || rec.claim || rec.email || rec.id;
}

// value renders one field of record as text (or photos as thumbnails).
export function value(ctx, collection, record, field, fileToken) {
  const v = record[field];
  const values = valuesOf(ctx, collection, field);
  const expanded = record.expand?.[field];
  if (expanded) {
    return [expanded].flat().map((r) => relName(ctx, r)).join(', ');
  }
  if (field === 'photos' && Array.isArray(v) && v.length && fileToken) {
    return h('span', { class: 'photos' }, v.map((name) => photo(ctx, record, name, fileToken)));
  }
  if (typeof v === 'boolean') return v ? ctx.t('review_yes') : ctx.t('review_no');
  if (Array.isArray(v)) return v.map((x) => (values ? valueLabel(ctx, collection, field, x) : x)).join(', ') || '—';
  if (v && typeof v === 'object' && 'lat' in v) return v.lat || v.lon ? `${v.lat}, ${v.lon}` : '—';
  if (v && typeof v === 'object') return JSON.stringify(v);
  if (values && v) return valueLabel(ctx, collection, field, v);
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(v)) return date(v);
  if (v === '' || v === undefined || v === null) return '—';
  return String(v);
}

// busyTries: how many times a thumbnail the server was too busy to make
// (503 photos_busy) is asked for again, each after its Retry-After.
const busyTries = 3;

// photo is a photo's 100x100 thumbnail. The server refuses some (an <img>
// learns no status: when one fails, the thumbnail is asked for once more
// with fetch, to know why): an original over 50 megapixels has none (422
// photos_thumb_too_many_pixels), shown as a note with a link to the
// original; one it was too busy to make (503 photos_busy) is asked for again
// after Retry-After, busyTries times, then shown as a note with a button to
// try again. Any other failure (the file token expired, the record gone)
// stays a broken image, as before.
function photo(ctx, record, name, fileToken) {
  const src = ctx.pb.files.getURL(record, name, { thumb: '100x100', token: fileToken });
  const img = h('img', { src, alt: '', width: 100, height: 100, 'data-name': name });
  let tries = 0;
  let reloaded = false; // the image asked for again once the thumbnail exists: once
  const note = (text, action) => h('span', { class: 'photo-note', 'data-name': name, role: 'note' },
    h('span', null, ctx.t(text)), ' ', action);
  const refused = async () => {
    let res;
    try {
      res = await fetch(src, { cache: 'no-store' });
    } catch {
      return; // no connection: nothing to tell
    }
    if (res.ok) {
      if (!reloaded) img.src = src; // made meanwhile
      reloaded = true;
      return;
    }
    if (res.status === 422) {
      const original = ctx.pb.files.getURL(record, name, { token: fileToken });
      img.replaceWith(note('review_photo_too_large', h('a', {
        href: original, target: '_blank', rel: 'noopener', class: 'original',
      }, ctx.t('review_photo_original'))));
      return;
    }
    if (res.status !== 503) return;
    if (tries < busyTries) {
      tries += 1;
      const wait = Math.min(Math.max(Number(res.headers.get('Retry-After')) || 5, 1), 60);
      setTimeout(() => { if (img.isConnected) refused(); }, wait * 1000);
      return;
    }
    const box = note('review_photo_busy', h('button', {
      type: 'button',
      class: 'retry',
      onclick: () => {
        tries = 0;
        reloaded = false;
        box.replaceWith(img);
        refused();
      },
    }, ctx.t('review_photo_retry')));
    img.replaceWith(box);
  };
  img.addEventListener('error', refused);
  return img;
}

// details lists every field the API returned for record, in its order.
// fileToken (pb.files.getToken(), fetched for this view: it lasts three
// minutes and is the signed-in person's) shows protected photos.
export function details(ctx, collection, record, extra, fileToken) {
  const dl = h('dl', { class: 'fields', id: 'record-fields' });
  for (const f of ordered(collection, record)) {
    if (skip.has(f)) continue;
    dl.append(h('dt', null, fieldLabel(ctx, collection, f)), h('dd', { class: `f-${f}` }, value(ctx, collection, record, f, fileToken)));
  }
  return [extra, dl];
}

// chips renders filter buttons; current is the key pressed.
export function chips(options, current, onpick) {
  return h('div', { class: 'chips', role: 'group' }, options.map((o) => h('button', {
    type: 'button', class: o.key === current ? 'chip on' : 'chip', 'aria-pressed': String(o.key === current),
    'data-key': o.key, onclick: () => onpick(o.key),
  }, o.label)));
}

// pagedList fetches pages of collection and renders each record with
// item(record) as a link to its detail. It follows the collection's
// changes (live.js): the pages shown are fetched again, in one request, and
// replace the list in place (same filter, as many pages, the scroll kept);
// a page the person asked for meanwhile ("Show more") wins.
export async function pagedList(ctx, box, collection, section, opts, item) {
  const ul = h('ul', { class: 'records', id: 'records' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, ctx.t('review_more'));
  replace(box, ul, more);
  const perPage = 30;
  let page = 0;
  let loads = 0;
  const rows = (items) => items.map((r) => h('li', { 'data-id': r.id }, h('a', { href: `#/${section}/${r.id}` }, item(r))));
  // a session the server no longer honours is refused, not listed empty (app.js, refused)
  const empty = () => ul.append(h('li', { class: 'muted empty' }, ctx.t('review_empty')));
  const next = async () => {
    page += 1;
    loads += 1;
    const res = await ctx.pb.collection(collection).getList(page, perPage, opts);
    if (page === 1 && !res.items.length) empty();
    ul.append(...rows(res.items));
    more.hidden = page >= res.totalPages;
  };
  const refresh = async () => {
    if (!page || !box.isConnected) return;
    const started = loads;
    const shown = page;
    // PocketBase lists at most 1000 a page
    const res = await ctx.pb.collection(collection).getList(1, Math.min(shown * perPage, 1000), opts);
    if (started !== loads || !box.isConnected) return;
    const y = window.scrollY;
    ul.replaceChildren(...rows(res.items));
    if (!res.items.length) empty();
    more.hidden = res.totalItems <= shown * perPage;
    window.scrollTo(window.scrollX, y);
  };
  more.addEventListener('click', () => ctx.busy(next).catch((err) => ctx.fail(err, collection)));
  await next();
  live.list(ctx, collection, () => refresh().catch((err) => ctx.fail(err, collection)));
}

// statusBadge is a record's status as a labeled badge.
export function statusBadge(ctx, collection, status) {
  return h('span', { class: `badge s-${status}` }, valueLabel(ctx, collection, 'status', status));
}

// act runs an update and shows the API's answer: "saved" and the record
// again, or the localized error.
// The page's buttons are disabled meanwhile (ctx.busy): a second tap on a
// slow link sends nothing.
export async function act(ctx, collection, id, body, again) {
  ctx.flash();
  await ctx.busy(async () => {
    try {
      await ctx.pb.collection(collection).update(id, body);
      await again();
      ctx.flash(ctx.t('review_saved'));
    } catch (err) {
      ctx.fail(err, collection);
    }
  });
}

// textArea is a labeled textarea for field of collection.
export function textArea(ctx, collection, field, value, rows = 3) {
  const id = `in-${field}`;
  const input = h('textarea', { id, name: field, rows, value: value || '' });
  return { input, el: h('div', { class: 'input' }, h('label', { htmlFor: id }, fieldLabel(ctx, collection, field)), input) };
}

export function backLink(ctx, section) {
  return h('a', { href: `#/${section}`, class: 'back' }, `← ${ctx.t('review_back')}`);
}
