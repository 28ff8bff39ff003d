// Incident reports. Coordinators work through the queue (submitted and
// in review first) and move a report along docs/workflow.md's table; a
// volunteer reads their own, without actions. The API decides which reports
// and fields each sees: an anonymous report comes without its reporter.
import { h, replace } from './dom.js';
import {
  act, backLink, chips, date, details, pagedList, statusBadge, textArea, valueLabel,
} from './show.js';
import { openConflicts } from './conflicts.js';
import { historyBox } from './history.js';
import * as live from './live.js';

const C = 'incident_reports';
const statuses = ['submitted', 'in_review', 'verified', 'disputed', 'false', 'archived'];
let filter = 'queue';

export async function reportsView(ctx, view, id) {
  if (id) return reportDetail(ctx, view, id);
  const listBox = h('div');
  const pick = (key) => { filter = key; reportsView(ctx, view); };
  const options = [{ key: 'queue', label: ctx.t('review_queue') },
    ...statuses.map((s) => ({ key: s, label: valueLabel(ctx, C, 'status', s) })),
    { key: 'all', label: ctx.t('review_all') }];
  replace(view, chips(options, filter, pick), listBox);
  const opts = { sort: filter === 'queue' ? 'created' : '-updated', expand: 'district' };
  if (filter === 'queue') opts.filter = "status = 'submitted' || status = 'in_review'";
  else if (filter !== 'all') opts.filter = ctx.pb.filter('status = {:s}', { s: filter });
  await pagedList(ctx, listBox, C, 'reports', opts, (r) => [
    h('span', { class: 'line' }, statusBadge(ctx, C, r.status), ' ',
      h('strong', null, valueLabel(ctx, C, 'category', r.category)), ' · ',
      valueLabel(ctx, C, 'region', r.region), r.place ? ` · ${r.place}` : ''),
    h('span', { class: 'muted small' }, date(r.occurred_at)),
    h('span', { class: 'excerpt' }, r.description.length > 160 ? `${r.description.slice(0, 160)}…` : r.description),
  ]);
}

async function reportDetail(ctx, view, id) {
  const again = () => reportDetail(ctx, view, id);
  const r = await ctx.pb.collection(C).getOne(id, { expand: 'reporter,district,verified_by' });
  // a file token per view: one kept would expire after three minutes, and
  // outlive a sign-out to show the next person's photos with it
  const fileToken = r.photos?.length ? await ctx.pb.files.getToken() : '';
  const anonymous = r.anonymous && !('reporter' in r)
    ? h('p', { class: 'note', id: 'anonymous-note' }, ctx.t('review_anonymous')) : null;
  const conflicts = await openConflicts(ctx, C, id);
  // typed into while live refresh fetched it again: kept, not replaced
  if (live.interrupted(ctx, view)) return;
  replace(view,
    backLink(ctx, 'reports'),
    h('h1', null, statusBadge(ctx, C, r.status), ' ', valueLabel(ctx, C, 'category', r.category)),
    conflicts,
    ctx.me.role === 'coordinator' ? actions(ctx, r, again) : null,
    details(ctx, C, r, anonymous, fileToken),
    historyBox(ctx, C, id));
  live.record(ctx, view, C, r, again);
}

// actions offers the transitions the workflow allows from r.status.
// A report's reporter does not review it (workflow_reviewer_is_reporter):
// a coordinator reading a report they filed is told so, and offered none.
function actions(ctx, r, again) {
  const move = (status, extra = {}) => act(ctx, C, r.id, { status, ...extra }, again);
  const button = (id, label, onclick, cls = '') => h('button', { type: 'button', id, class: cls, onclick }, label);
  const box = h('section', { class: 'card actions', id: 'actions' }, h('h2', null, ctx.t('review_change_status')));
  if (r.reporter === ctx.me.id) {
    box.append(h('p', { class: 'note', id: 'own-report-note' }, ctx.t('review_own_report')));
    return box;
  }
  switch (r.status) {
    case 'submitted':
      box.append(button('act-take', ctx.t('review_take'), () => move('in_review'), 'primary'),
        button('act-archive', ctx.t('review_archive'), () => move('archived')));
      break;
    case 'in_review': {
      const note = textArea(ctx, C, 'verification_note', r.verification_note);
      const summary = textArea(ctx, C, 'public_summary', r.public_summary);
      const sources = textArea(ctx, C, 'sources', r.sources);
      const review = () => ({
        verification_note: note.input.value, public_summary: summary.input.value, sources: sources.input.value,
      });
      box.append(h('p', { class: 'muted small' }, ctx.t('review_verify_hint')), note.el, summary.el, sources.el,
        h('div', { class: 'buttons' },
          // verified_by is the signed-in coordinator: the rules let no one
          // verify in a colleague's name (docs/workflow.md).
          button('act-verify', ctx.t('review_verify'), () => move('verified', { ...review(), verified_by: ctx.me.id }), 'primary'),
          button('act-dispute', ctx.t('review_dispute'), () => move('disputed', review())),
          button('act-false', ctx.t('review_mark_false'), () => move('false', review())),
          button('act-save', ctx.t('review_save'), () => act(ctx, C, r.id, review(), again))),
        h('div', { class: 'buttons' },
          button('act-send-back', ctx.t('review_send_back'), () => move('submitted')),
          button('act-archive', ctx.t('review_archive'), () => move('archived'))));
      break;
    }
    case 'verified':
    case 'disputed':
    case 'false':
      box.append(button('act-reopen', ctx.t('review_reopen'), () => move('in_review'), 'primary'),
        button('act-archive', ctx.t('review_archive'), () => move('archived')));
      break;
    case 'archived':
      box.append(button('act-restore', ctx.t('review_restore'), () => move('in_review'), 'primary'));
      break;
    default:
      return null;
  }
  return box;
}
