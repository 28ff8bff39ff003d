// Updates and fact-checks, for editors: drafts and published texts, create
// (as author), edit, publish, retract, reinstate. An update may rest on
// verified reports only; the form offers those the API lets editors read.
import { h, replace } from './dom.js';
import {
  act, backLink, chips, date, details, fieldLabel, pagedList, statusBadge, valueLabel,
} from './show.js';
import { openConflicts } from './conflicts.js';
import { historyBox } from './history.js';
import * as live from './live.js';

const statuses = ['draft', 'published', 'retracted'];
const filters = { updates: 'all', fact_checks: 'all' };

// forms: the fields an editor writes, and how.
const forms = {
  updates: [['title', 'text'], ['body', 'area'], ['language', 'select'], ['region', 'select'], ['sources', 'area'],
    ['related_incidents', 'reports']],
  fact_checks: [['claim', 'area'], ['claim_source', 'text'], ['platform', 'select'], ['verdict', 'select'],
    ['explanation', 'area'], ['evidence', 'area'], ['language', 'select']],
};

export async function editorialView(ctx, view, C, id, action) {
  if (id === 'new') return editForm(ctx, view, C, null);
  if (id && action === 'edit') return editForm(ctx, view, C, await ctx.pb.collection(C).getOne(id));
  if (id) return textDetail(ctx, view, C, id);
  const listBox = h('div');
  const options = [{ key: 'all', label: ctx.t('review_all') },
    ...statuses.map((s) => ({ key: s, label: valueLabel(ctx, C, 'status', s) }))];
  replace(view,
    h('div', { class: 'row' }, chips(options, filters[C], (key) => { filters[C] = key; editorialView(ctx, view, C); }),
      h('a', { href: `#/${C}/new`, class: 'button primary', id: 'new' }, ctx.t('review_new'))),
    listBox);
  const opts = { sort: '-updated' };
  if (filters[C] !== 'all') opts.filter = ctx.pb.filter('status = {:s}', { s: filters[C] });
  await pagedList(ctx, listBox, C, C, opts, (r) => [
    h('span', { class: 'line' }, statusBadge(ctx, C, r.status), outdatedBadge(ctx, r), relatedBadge(ctx, r), ' ',
      C === 'fact_checks' ? [h('strong', null, valueLabel(ctx, C, 'verdict', r.verdict)), ' · '] : null,
      h('strong', null, r.title || r.claim)),
    h('span', { class: 'muted small' }, [valueLabel(ctx, C, 'language', r.language), date(r.published_at || r.updated)].join(' · ')),
  ]);
}

async function textDetail(ctx, view, C, id) {
  const again = () => textDetail(ctx, view, C, id);
  const r = await ctx.pb.collection(C).getOne(id, { expand: 'author,related_incidents' });
  const move = (status) => act(ctx, C, id, { status }, again);
  const button = (bid, label, onclick, cls = '') => h('button', { type: 'button', id: bid, class: cls, onclick }, label);
  const buttons = h('div', { class: 'buttons' },
    h('a', { href: `#/${C}/${id}/edit`, class: 'button', id: 'act-edit' }, ctx.t('review_edit')),
    r.status === 'draft' ? button('act-publish', ctx.t('review_publish'), () => move('published'), 'primary') : null,
    r.status === 'published' ? button('act-retract', ctx.t('review_retract'), () => move('retracted')) : null,
    r.status === 'retracted' ? button('act-reinstate', ctx.t('review_reinstate'), () => move('published'), 'primary') : null);
  const [conflicts, versions] = await Promise.all([openConflicts(ctx, C, id), translations(ctx, C, r)]);
  // typed into while live refresh fetched it again: kept, not replaced
  if (live.interrupted(ctx, view)) return;
  replace(view,
    backLink(ctx, C),
    h('h1', null, statusBadge(ctx, C, r.status), ' ', r.title || r.claim),
    conflicts,
    r.outdated ? outdatedNote(ctx, C, id, again) : null,
    r.related_unverified ? h('section', { class: 'note', id: 'related-unverified' },
      h('p', null, ctx.t('review_related_unverified_note'))) : null,
    h('section', { class: 'card actions', id: 'actions' }, buttons),
    versions,
    details(ctx, C, r),
    historyBox(ctx, C, id));
  live.record(ctx, view, C, r, again);
}

// outdatedNote tells the editor of a translation that its original changed
// after it was written (docs/data-model.md, Translations): editing its text
// clears the mark, and so does this button, for a change that does not
// touch the translation.
function outdatedNote(ctx, C, id, again) {
  return h('section', { class: 'note', id: 'outdated' },
    h('p', null, ctx.t('review_outdated_note')),
    h('button', { type: 'button', id: 'act-current', onclick: () => act(ctx, C, id, { outdated: false }, again) },
      ctx.t('review_mark_current')));
}

// outdatedBadge marks a version its original left behind.
function outdatedBadge(ctx, v) {
  return v.outdated ? [' ', h('span', { class: 'badge s-outdated' }, ctx.t('review_outdated'))] : null;
}

// relatedBadge marks a published update that relates a report no longer
// verified (reopened or archived after publication: related_unverified,
// docs/workflow.md). The workflow keeps the mark; the page says what clears it.
function relatedBadge(ctx, v) {
  return v.related_unverified
    ? [' ', h('span', { class: 'badge s-related-unverified' }, ctx.t('review_related_unverified'))] : null;
}

// copied: the fields a translation starts from, the original's text to
// translate (docs/data-model.md, Translations of updates and fact-checks).
// A fact-check's verdict is the group's, and the API refuses a translation
// with another, so it is sent as the original's. The original's shared
// values (an update's region and related reports, a fact-check's platform:
// shared, below) are not sent: the server gives a translation all of them
// on create, the related reports the editor may not read too.
const copied = {
  updates: ['title', 'body', 'sources'],
  fact_checks: ['claim', 'claim_source', 'verdict', 'explanation', 'evidence'],
};

// translations lists the versions of r's translation group (the original
// and one translation per language) and creates a draft translation in a
// language the group lacks, with translation_of = the original (never a
// translation: the group is one level deep).
async function translations(ctx, C, r) {
  const originalId = r.translation_of || r.id;
  const original = r.translation_of ? await ctx.pb.collection(C).getOne(originalId) : r;
  const others = await ctx.pb.collection(C).getFullList({
    filter: ctx.pb.filter('translation_of = {:o}', { o: originalId }), sort: 'language',
  });
  const group = [original, ...others];
  const box = h('section', { class: 'card', id: 'translations' }, h('h2', null, ctx.t('review_translations')),
    h('ul', { class: 'versions' }, group.map((v) => h('li', { 'data-id': v.id, 'data-language': v.language },
      h('span', { class: 'lang' }, valueLabel(ctx, C, 'language', v.language)), ' ',
      statusBadge(ctx, C, v.status), outdatedBadge(ctx, v), ' ',
      v.id === r.id ? h('strong', null, v.title || v.claim) : h('a', { href: `#/${C}/${v.id}` }, v.title || v.claim),
      v.id === originalId ? h('span', { class: 'muted small' }, ` · ${ctx.t('review_original')}`) : null))));
  const have = new Set(group.map((v) => v.language));
  const missing = Object.entries(ctx.labels.collections[C]?.fields?.language?.values || {}).filter(([l]) => !have.has(l));
  if (!missing.length) {
    box.append(h('p', { class: 'muted small' }, ctx.t('review_all_translated')));
    return box;
  }
  const select = h('select', { id: 'in-translate-language', name: 'language' },
    missing.map(([l, label]) => h('option', { value: l }, label)));
  const translate = async () => {
    ctx.flash();
    const body = { translation_of: originalId, language: select.value, status: 'draft', author: ctx.me.id };
    for (const f of copied[C]) if (original[f] !== undefined) body[f] = original[f];
    await ctx.busy(async () => {
      try {
        const saved = await ctx.pb.collection(C).create(body);
        location.hash = `#/${C}/${saved.id}/edit`;
      } catch (err) {
        ctx.fail(err, C);
      }
    });
  };
  box.append(h('div', { class: 'input' }, h('label', { htmlFor: 'in-translate-language' }, ctx.t('review_translate_into')),
    h('div', { class: 'row' }, select, h('button', { type: 'button', id: 'act-translate', onclick: translate }, ctx.t('review_translate')))),
  h('p', { class: 'muted small' }, ctx.t('review_translate_hint')));
  return box;
}

// shared: the fields a translation takes from its original on every save,
// whatever the write sends (docs/workflow.md, A translation has its
// original's facts; workflow/shared.go). A translation's form shows them
// read-only, sends none of them, and says where to change them.
const shared = {
  updates: ['region', 'related_incidents'],
  fact_checks: ['platform'],
};

async function editForm(ctx, view, C, record) {
  const form = h('form', { class: 'card', id: 'edit-form' });
  const inputs = {};
  const original = record?.translation_of || '';
  const follows = original ? shared[C] : [];
  for (const [f, kind] of forms[C]) {
    const id = `in-${f}`;
    const current = record?.[f];
    const readOnly = follows.includes(f);
    let input;
    if (kind === 'select') {
      const values = Object.entries(ctx.labels.collections[C]?.fields?.[f]?.values || {});
      const initial = current ?? (f === 'language' ? ctx.lang : '');
      input = h('select', { id, name: f, disabled: readOnly },
        f === 'language' ? null : h('option', { value: '' }, '—'),
        values.map(([v, l]) => h('option', { value: v, selected: v === initial }, l)));
    } else if (kind === 'reports') {
      input = readOnly ? await relatedReports(ctx, current || []) : await verifiedReports(ctx, current || []);
    } else if (kind === 'area') {
      input = h('textarea', { id, name: f, rows: f === 'body' || f === 'explanation' ? 8 : 3, value: current || '' });
    } else {
      input = h('input', { id, name: f, type: 'text', value: current || '' });
    }
    inputs[f] = input;
    const field = h('div', { class: readOnly ? 'input follows' : 'input' }, kind === 'reports' ? h('span', { class: 'label' }, fieldLabel(ctx, C, f))
      : h('label', { htmlFor: id }, fieldLabel(ctx, C, f)), input,
    readOnly ? h('p', { class: 'muted small follows-original', 'data-field': f }, ctx.t('review_follows_original'), ' ',
      h('a', { href: `#/${C}/${original}` }, ctx.t('review_open_original'))) : null);
    // A change of the original reaches the translation in the same
    // transaction (workflow: followOriginal), so its own event comes; the
    // form is redrawn then unless something was typed (live.record), and
    // the fields the editor does not edit here show the new value even
    // so.
    if (readOnly) field.addEventListener('record-changed', (ev) => followOriginal(ctx, inputs, f, kind, ev.detail));
    form.append(field);
  }
  const cancel = h('a', { href: record ? `#/${C}/${record.id}` : `#/${C}`, class: 'button' }, ctx.t('review_cancel'));
  form.append(h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'save' }, ctx.t('review_save')), cancel));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    ctx.flash();
    const body = {};
    for (const [f, kind] of forms[C]) {
      if (follows.includes(f)) continue; // the original's, kept by the server
      body[f] = kind === 'reports'
        ? [...inputs[f].querySelectorAll('input:checked')].map((i) => i.value) : inputs[f].value;
    }
    // a second tap on a slow link would create a second draft
    await ctx.busy(async () => {
      try {
        const saved = record
          ? await ctx.pb.collection(C).update(record.id, body)
          : await ctx.pb.collection(C).create({ ...body, status: 'draft', author: ctx.me.id });
        location.hash = `#/${C}/${saved.id}`;
      } catch (err) {
        ctx.fail(err, C);
      }
    });
  });
  // typed into while live refresh fetched it again: kept, not replaced
  if (live.interrupted(ctx, view, record)) return;
  replace(view, backLink(ctx, C), h('h1', null, record ? ctx.t('review_edit') : ctx.t('review_new')), form);
  // a change by someone else while the form is open: said, not put over the typed text
  if (record) live.record(ctx, view, C, record, async () => editForm(ctx, view, C, await ctx.pb.collection(C).getOne(record.id)));
}

// followOriginal shows in a translation's read-only field f the value of
// now, the translation as it is now (its original's value: the server
// copies it), while the form keeps what the editor typed elsewhere. A
// later change wins over one still fetching its reports.
function followOriginal(ctx, inputs, f, kind, now) {
  if (!now || typeof now !== 'object') return; // deleted, or not known
  if (kind !== 'reports') {
    inputs[f].value = now[f] ?? '';
    return;
  }
  const ids = Array.isArray(now[f]) ? now[f] : [];
  const shown = [...inputs[f].querySelectorAll('input')].map((i) => i.value);
  if (shown.length === ids.length && shown.every((x, i) => x === ids[i])) return;
  const turn = (followed.get(inputs) || 0) + 1;
  followed.set(inputs, turn);
  relatedReports(ctx, ids).then((box) => {
    if (followed.get(inputs) !== turn || !inputs[f].isConnected) return;
    inputs[f].replaceWith(box);
    inputs[f] = box;
  }).catch((err) => ctx.fail(err, 'incident_reports'));
}

// followed: per form (its inputs), the latest redraw of its related reports.
const followed = new WeakMap();

// reportOption is a checkbox for report r (as the API returns it), checked
// when checked; one no longer verified says so.
function reportOption(ctx, r, checked, disabled = false) {
  const R = 'incident_reports';
  return h('label', { class: 'check' },
    h('input', { type: 'checkbox', value: r.id, checked, disabled }), ' ',
    [valueLabel(ctx, R, 'category', r.category), valueLabel(ctx, R, 'region', r.region), date(r.occurred_at)].join(' · '),
    r.public_summary ? h('span', { class: 'muted small block' }, r.public_summary) : null,
    r.status && r.status !== 'verified' ? h('span', { class: 'small block' }, ctx.t('review_related_unverified')) : null);
}

// relatedExtra appends to box a checkbox, checked, per id of ids: the
// reports the API lets the editor read as reportOption, the others (no
// longer verified: editors read verified reports only) by their id, with a
// note that they stay related unless unchecked.
async function relatedExtra(ctx, box, ids, disabled) {
  if (!ids.length) return;
  const readable = await ctx.pb.collection('incident_reports').getList(1, ids.length, {
    filter: ids.map((x, i) => ctx.pb.filter(`id = {:r${i}}`, { [`r${i}`]: x })).join(' || '),
  });
  const byId = new Map(readable.items.map((r) => [r.id, r]));
  for (const id of ids) {
    const r = byId.get(id);
    box.append(r ? reportOption(ctx, r, true, disabled)
      : h('label', { class: 'check muted', 'data-unreadable': id }, h('input', { type: 'checkbox', value: id, checked: true, disabled }), ' ', id,
        disabled ? null : h('span', { class: 'small block' }, ctx.t('review_related_kept'))));
  }
}

// verifiedReports is a checkbox per verified report (editors read only
// those), the related ones checked.
async function verifiedReports(ctx, related) {
  const R = 'incident_reports';
  const reports = await ctx.pb.collection(R).getList(1, 100, { filter: "status = 'verified'", sort: '-verified_at', expand: 'district' });
  const box = h('div', { class: 'checks', id: 'in-related_incidents' });
  if (!reports.items.length) box.append(h('p', { class: 'muted' }, ctx.t('review_none_verified')));
  for (const r of reports.items) box.append(reportOption(ctx, r, related.includes(r.id)));
  // Related reports the list lacks stay as the API has them: the form
  // sends the relation whole, and a missing checkbox dropped them without a
  // word. Those older than the hundred listed, still verified, are fetched
  // and stay checked. Those the editor no longer reads (reopened or
  // archived since) stay checked too, by their id, with a note: the server
  // judges a change of the relation by the reports it adds
  // (docs/workflow.md, An update is published on verified reports only),
  // so keeping one is allowed and unchecking it takes it out, while only
  // verified reports are offered to add.
  const listed = new Set(reports.items.map((r) => r.id));
  await relatedExtra(ctx, box, related.filter((x) => !listed.has(x)), false);
  return box;
}

// relatedReports shows a translation's related reports, its original's,
// read-only: checked, disabled, those the editor cannot read by their id.
async function relatedReports(ctx, related) {
  const box = h('div', { class: 'checks', id: 'in-related_incidents' });
  if (!related.length) box.append(h('p', { class: 'muted' }, '—'));
  await relatedExtra(ctx, box, related, true);
  return box;
}
