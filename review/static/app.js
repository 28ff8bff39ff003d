// The review screen: sign-in, language, sections by role, hash routing.
// Everything goes through the ordinary REST API with the official SDK, so
// the API rules and the privacy hook decide what each person sees and may do.
import PocketBase from './pocketbase.es.mjs';
import { h, replace } from './dom.js';
import { fieldLabel } from './show.js';
import { reportsView } from './reports.js';
import { aidView } from './aid.js';
import { editorialView } from './editorial.js';
import { conflictsView } from './conflicts.js';
import { aidWorker } from './people.js';
import * as live from './live.js';

const langKey = 'aman.review.lang';
const pb = new PocketBase(window.location.origin);
pb.autoCancellation(false);
// refusedCode is the server's answer (401) to a request carrying a token
// it no longer honours (expired, or revoked by a password change): on
// every API route but the sign-in ones (security/session.go).
const refusedCode = 'sync_invalid_token';
// Every answer passes here before the SDK throws for it: a refused token
// ends the session, whatever asked (a list, a page, a live catch-up, the
// SDK subscribing again after a reconnect), back to the sign-in with a
// note; before anyone signed in (a token kept from an earlier visit) it
// is forgotten.
// A refusal for too many requests (429) keeps its Retry-After (whole
// seconds, docs/operations.md) on the answer as retryAfter (not
// enumerable: nothing lists it), for fail() to say when to try again and
// for live.js to subscribe again after it.
pb.afterSend = (response, data) => {
  if (response.status === 401 && data?.code === refusedCode) refused();
  if (response.status === 429 && data && typeof data === 'object') {
    const wait = live.seconds(response.headers.get('Retry-After'));
    if (wait) Object.defineProperty(data, 'retryAfter', { value: wait });
  }
  return data;
};

// ctx is what every view gets: the client, the signed-in user, strings,
// labels and the shared helpers below.
const ctx = {
  pb,
  me: null,
  lang: 'en',
  strings: {},
  labels: { collections: {} },
  main: document.getElementById('main'),
  t: (id) => ctx.strings[id] ?? id,
  go: (hash) => { if (location.hash === hash) route(); else location.hash = hash; },
  flash,
  fail,
  busy,
  check,
};

// checkedAt is when the server last honoured the session (authRefresh).
let checkedAt = 0;
const recheckMs = 60 * 1000;

// refresh reads the signed-in user afresh, with their organization as the
// organizations' rules let them read it (an aid worker: only while it is
// active), so that accessOf can tell whether it grants anything.
const refresh = () => pb.collection('users').authRefresh({ expand: 'organization' });

// accessOf is what decides what the user may read (docs/data-model.md,
// Who may do what): the role and, for an aid worker, the organization and
// whether it is active. The name, the language, `verified` (no rule reads
// it) and a volunteer's organization grant nothing.
function accessOf(me) {
  if (!me) return '';
  if (me.role !== 'aid_worker' || !me.organization) return me.role || '';
  return `${me.role}/${me.organization}/${me.expand?.organization?.active === true}`;
}

// accessChanged is set when the user's access changed since the screen
// last showed a view: the next route says so, and a record page that the
// API refuses then says the record is no longer available.
let accessChanged = false;

// busy runs fn with every button of the page disabled: on a slow link a
// second tap on Save, Verify or Translate would send the write again (two
// drafts, two history rows, a 400 for a translation that now exists).
async function busy(fn) {
  const buttons = [...document.querySelectorAll('main button:not(:disabled)')];
  for (const b of buttons) b.disabled = true;
  ctx.main.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    for (const b of buttons) b.disabled = false;
    ctx.main.removeAttribute('aria-busy');
  }
}

// check asks the server whether it still honours the session (and
// refreshes the user: their role may have changed). A refused session ends here, back to the
// sign-in with a message; a network error tells nothing and ends nothing.
// A changed role, organization or organization's retirement found here is
// marked (accessChanged); the caller shows the view anew. gone is the note
// of a refused session (the string's id).
async function check(gone = 'review_session_ended') {
  if (!ctx.me) return false;
  if (pb.authStore.isValid) {
    try {
      const auth = await refresh();
      if (accessOf(auth.record) !== accessOf(ctx.me)) accessChanged = true;
      ctx.me = auth.record;
      checkedAt = Date.now();
      return true;
    } catch (err) {
      if (!err?.status) return true;
    }
  }
  endSession();
  flash(ctx.t(gone), 'error');
  return false;
}

// ownChanged: the user's record or their organization changed, or the
// realtime connection was made again (live.follow). The user is read
// afresh; an account gone (deleted, or its sign-in revoked) goes back to
// the sign-in with a note; a change of access shows the view anew: the
// sections of the new role, the lists fetched again without what the user
// may no longer read, a record page refused now says it is no longer
// available, and a note says why; any other change (the name) only
// redraws the header. Events that come while one is handled are handled
// once more after it.
let checking = null;
let checkAgain = false;
function ownChanged() {
  if (checking) {
    checkAgain = true;
    return;
  }
  checking = (async () => {
    do {
      checkAgain = false;
      if (!(await check('review_account_gone'))) break;
      if (accessChanged) await route();
      else renderChrome();
    } while (checkAgain && ctx.me);
  })().catch((err) => fail(err)).finally(() => { checking = null; });
}

// refused: the server refused the token (refusedCode). A session ends,
// once however many requests were refused with it.
function refused() {
  if (!ctx.me) {
    pb.authStore.clear();
    return;
  }
  endSession();
  flash(ctx.t('review_session_ended'), 'error');
}

// isRefused tells whether err is the answer to a refused token.
function isRefused(err) {
  return err?.status === 401 && err.response?.code === refusedCode;
}

// flash shows a short message (or clears it with no argument).
function flash(text, kind = 'ok') {
  const box = document.getElementById('flash');
  box.className = kind;
  box.hidden = !text;
  replace(box, text || '');
  if (text) box.scrollIntoView({ block: 'nearest' });
}

// fail shows an API error as the API wrote it, already localized by the
// server: the message and each field's message under its label (but the
// one the message already is); a refusal for too many requests (429) also
// says when to try again, by its Retry-After.
function fail(err, collection) {
  // a refused token ended the session already, and said so (refused)
  if (err?.isAbort || isRefused(err)) return;
  console.error(err);
  const res = err?.response || {};
  if (!err?.status) {
    flash(ctx.t('review_network_error'), 'error');
    return;
  }
  // the record may be gone, or the session with it: check the session
  if ([401, 403, 404].includes(err.status) && ctx.me) check();
  const top = res.message || err.message;
  // a field's reason that the server already put on top is not repeated
  const lines = Object.entries(res.data || {})
    .filter(([, v]) => v && typeof v.message === 'string' && v.message !== top)
    .map(([f, v]) => `${fieldLabel(ctx, collection, f)}: ${v.message}`);
  const box = document.getElementById('flash');
  box.className = 'error';
  box.hidden = false;
  const wait = err.status === 429 && res.retryAfter
    ? h('p', { class: 'retry-after' }, ctx.t('review_try_again_in').replace('{n}', res.retryAfter)) : null;
  replace(box, h('p', null, top), lines.length ? h('ul', null, lines.map((l) => h('li', null, l))) : null, wait);
  box.scrollIntoView({ block: 'nearest' });
}

// loadStrings fetches the screen's strings and the schema's labels in the
// chosen language, else the one the server picks (the account's language,
// else the browser's).
async function loadStrings() {
  const chosen = localStorage.getItem(langKey);
  const query = chosen ? { lang: chosen } : {};
  const msgs = await pb.send('/api/aman/review/messages', { query });
  ctx.lang = msgs.language;
  ctx.strings = msgs.messages;
  ctx.languages = msgs.languages;
  ctx.labels = await pb.send('/api/aman/labels', { query: { lang: ctx.lang } });
  document.documentElement.lang = ctx.lang;
  document.title = ctx.t('review_title');
  renderChrome();
}

function renderChrome() {
  document.getElementById('lang-label').textContent = ctx.t('review_language');
  const select = document.getElementById('lang');
  const names = ctx.labels.collections.users?.fields?.language?.values || {};
  replace(select, (ctx.languages || []).map((l) => h('option', { value: l, selected: l === ctx.lang }, names[l] || l)));
  const account = document.getElementById('account');
  replace(account, ctx.me ? [h('span', { class: 'who' }, ctx.me.name || ctx.me.email),
    h('button', { type: 'button', id: 'sign-out', onclick: signOut }, ctx.t('review_sign_out'))] : null);
  const tabs = document.getElementById('tabs');
  replace(tabs, sections().map((s) => h('a', { href: `#/${s.key}`, class: currentSection() === s.key ? 'on' : '' },
    ctx.labels.collections[s.collection]?.label || s.collection)));
}

// sections are what the signed-in user works on, by role: coordinators
// review reports and aid requests, editors updates and fact-checks, aid
// workers of an organization the aid requests assigned to it; a volunteer
// reads their own records.
function sections() {
  const me = ctx.me;
  if (!me) return [];
  const reports = { key: 'reports', collection: 'incident_reports' };
  const aid = { key: 'aid', collection: 'aid_requests' };
  // conflicts: those of the collections the role reviews (docs/sync.md)
  const conflicts = { key: 'conflicts', collection: 'sync_conflicts' };
  if (me.role === 'coordinator') return [reports, aid, conflicts];
  if (me.role === 'editor') {
    return [{ key: 'updates', collection: 'updates' }, { key: 'fact_checks', collection: 'fact_checks' }, conflicts];
  }
  return aidWorker(me) ? [aid, reports] : [reports, aid];
}

function currentSection() {
  return location.hash.replace(/^#\/?/, '').split('/')[0];
}

function signInView() {
  const email = h('input', { type: 'email', id: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card narrow', id: 'sign-in' },
    h('h1', null, ctx.t('review_title')),
    h('p', { class: 'muted' }, ctx.t('review_intro')),
    h('label', { htmlFor: 'email' }, ctx.t('review_email')), email,
    h('label', { htmlFor: 'password' }, ctx.t('review_password')), password,
    h('button', { type: 'submit', class: 'primary' }, ctx.t('review_sign_in')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    flash();
    await busy(async () => {
      try {
        await pb.collection('users').authWithPassword(email.value.trim(), password.value);
        password.value = '';
        await start();
      } catch (err) {
        fail(err, 'users');
      }
    });
  });
  replace(ctx.main, form);
  email.focus();
}

// endSession forgets everything of the signed-in person: their realtime
// subscriptions and connection (live.js), the SDK's token (localStorage),
// the user, the page, the hash (history.replaceState: no
// hashchange, so nothing renders in between; the back button leads to a
// route, which shows the sign-in). A shared computer's next person starts
// from nothing.
function endSession() {
  live.end(ctx);
  pb.authStore.clear();
  ctx.me = null;
  checkedAt = 0;
  accessChanged = false;
  history.replaceState(null, '', location.pathname + location.search);
  replace(ctx.main);
  renderChrome();
  signInView();
}

function signOut() {
  endSession();
  flash();
  loadStrings().then(signInView, fail);
}

// route renders the view the hash names: #/<section>[/<id>[/edit]],
// #/<section>/new or #/conflicts/record/<collection>/<id>.
async function route() {
  if (!ctx.me) return signInView();
  if (!pb.authStore.isValid || Date.now() - checkedAt > recheckMs) {
    if (!(await check())) return;
  }
  renderChrome();
  live.leave();
  live.follow(ctx, ownChanged);
  const [section, id, action, arg] = location.hash.replace(/^#\/?/, '').split('/');
  const allowed = sections().map((s) => s.key);
  if (!allowed.includes(section)) {
    // nothing of the view before stays on the page meanwhile
    replace(ctx.main);
    ctx.go(`#/${allowed[0]}`);
    return;
  }
  const changed = accessChanged;
  accessChanged = false;
  const note = !['coordinator', 'editor'].includes(ctx.me.role) && !aidWorker(ctx.me)
    ? h('p', { class: 'note', id: 'volunteer-note' }, ctx.t('review_volunteer_note')) : null;
  const access = changed ? h('p', { class: 'note', id: 'access-changed', role: 'status' }, ctx.t('review_access_changed')) : null;
  const view = h('div', { class: 'view' });
  replace(ctx.main, access, note, view);
  try {
    if (section === 'reports') await reportsView(ctx, view, id);
    else if (section === 'aid') await aidView(ctx, view, id);
    else if (section === 'conflicts') await conflictsView(ctx, view, id, action, arg);
    else await editorialView(ctx, view, section, id, action);
  } catch (err) {
    // a record deleted meanwhile (404): the API's message, and a way back
    if (id) replace(view, h('a', { href: `#/${section}`, class: 'back' }, `← ${ctx.t('review_back')}`));
    // one the user's new access refuses: said as a record that left their view
    if (id && changed && err?.status === 404) live.left(ctx, view);
    else fail(err, { reports: 'incident_reports', aid: 'aid_requests', conflicts: 'sync_conflicts' }[section] || section);
  }
  // a view that follows no collection (a new draft's form) holds no subscription
  live.stopIdle();
}

// start begins a signed-in session: the user record fresh from the server
// (role and organization may have changed since the token was issued).
async function start() {
  try {
    const auth = await refresh();
    ctx.me = auth.record;
    checkedAt = Date.now();
    accessChanged = false;
  } catch (err) {
    pb.authStore.clear();
    ctx.me = null;
    if (err?.status) flash(); else fail(err);
  }
  await loadStrings();
  await route();
}

document.getElementById('lang').addEventListener('change', async (ev) => {
  localStorage.setItem(langKey, ev.target.value);
  try {
    await loadStrings();
    await route();
  } catch (err) {
    fail(err);
  }
});
window.addEventListener('hashchange', () => { flash(); route(); });

(async () => {
  try {
    // a token kept from an earlier visit that the server refuses is
    // forgotten (refused), and the strings asked for again without it
    await loadStrings().catch((err) => { if (isRefused(err)) return loadStrings(); throw err; });
    if (pb.authStore.isValid && pb.authStore.record?.collectionName === 'users') await start();
    else {
      pb.authStore.clear();
      signInView();
    }
  } catch (err) {
    fail(err);
  }
})();
