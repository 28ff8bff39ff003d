// Live refresh: the view on the screen follows the changes of its
// collection through PocketBase's realtime (Server-Sent Events on
// /api/realtime, same origin), as the signed-in user: PocketBase sends a
// record's event only to those whose list rule lets them read it, through
// the privacy hook like any answer (an anonymous report comes without its
// reporter). One subscription at a time, to the collection of the view
// shown ('*'): a list re-fetches what it shows, a record's page (a
// conflict's too) re-renders when nothing is being edited there (an open
// history is not editing: it stays open, fetched again) and otherwise says
// the record was changed, with a button to reload it; its open history
// grows, and a translation's form shows its read-only fields anew; one the
// person may read no more is dropped (the server sends a delete event when
// a write takes a record out of a subscriber's view:
// security/realtime_left.go): a list fetches itself without it, a page
// says so. The SDK connects again by itself after a dropped connection
// (a phone's link, a server restart) and subscribes again, but what changed
// meanwhile sent no event: every connection after the first catches up as
// the first subscription does. Subscriptions to records are bounded per
// account (security/realtime.go): one per open screen. A subscription the
// server refuses as busy (429 realtime_server_busy or
// realtime_too_many_subscriptions) pauses live refresh: a note says so,
// and the screen subscribes again after the answer's Retry-After, then
// after twice as long each time it is refused again, at most maxPauseMs
// (pause, resume): one timer per screen, whatever was refused.
import { h } from './dom.js';

const waitMs = 500;

let sub = null; // { collection, unsubscribe: Promise<fn|null> }
let handler = null; // what the view shown does with its collection's events
let events = []; // events not yet handled
let timer = null;
let followed = null; // the changed() of follow, called again after a pause

const busyCodes = ['realtime_server_busy', 'realtime_too_many_subscriptions'];
const maxPauseMs = 5 * 60 * 1000;
let paused = null; // { tries, timer }: live refresh refused as busy

// seconds reads a Retry-After: whole seconds (what this server sends) or
// an HTTP date; 0 when absent or unreadable.
export function seconds(value) {
  if (value == null || String(value).trim() === '') return 0;
  const n = Number(value);
  if (Number.isFinite(n)) return n > 0 ? Math.ceil(n) : 0;
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}

// busy: err is the server refusing a subscription for its bound or the
// caller's budget (security/realtime.go).
function busy(err) {
  return err?.status === 429 && busyCodes.includes(err.response?.data?.subscriptions?.code);
}

// pause shows the note (once) and starts the one timer that subscribes
// again, after Retry-After (60 s when the answer has none) plus up to a
// second of jitter, doubled at each refusal since the last success.
function pause(ctx, err) {
  if (!document.getElementById('live-paused')) {
    ctx.main.before(h('p', { class: 'note', id: 'live-paused', role: 'status' }, ctx.t('review_live_paused')));
  }
  if (paused?.timer) return;
  const tries = paused?.tries ?? 0;
  const base = (err.response?.retryAfter || 60) * 1000;
  const wait = Math.min(base * 2 ** tries, Math.max(base, maxPauseMs)) + Math.random() * 1000;
  paused = { tries: tries + 1, timer: setTimeout(() => resume(ctx), wait) };
}

// resume subscribes afresh to all the screen follows: the SDK keeps a
// refused topic as sent, so everything is dropped first, the connection
// too (which frees what it held on the server), and asked for again on a
// new one. The view's catch-up fetches what changed during the pause.
async function resume(ctx) {
  paused.timer = null;
  if (!ctx.me) return;
  const view = handler;
  sub = null;
  own = null;
  await ctx.pb.realtime.unsubscribe().catch(() => {});
  if (!ctx.me || paused?.timer) return;
  if (followed) follow(ctx, followed);
  if (view && handler === view) watch(ctx, view.collection, view.fn);
}

// unpause: a subscription went through; the note goes, and the person's
// own access is read again (its events during the pause were lost).
function unpause(ctx) {
  if (!paused) return;
  clearTimeout(paused.timer);
  paused = null;
  document.getElementById('live-paused')?.remove();
  if (ctx.me && followed) followed({ action: 'connected' });
}

// leave forgets the view shown (route, at every navigation): what arrives
// until the next view registers waits for it. stopIdle drops the
// subscription when the new view registered none.
export function leave() {
  handler = null;
  events = [];
  clearTimeout(timer);
  timer = null;
}

export function stopIdle() {
  if (!handler && sub) drop();
}

// end drops every subscription and closes the connection (sign-out, a
// session the server ended): PocketBase binds a connection to the account
// that subscribed on it, so a kept one would go on bringing the previous
// person's records to the signed-out page.
export function end(ctx) {
  leave();
  sub = null;
  own = null;
  followed = null;
  if (paused) clearTimeout(paused.timer);
  paused = null;
  document.getElementById('live-paused')?.remove();
  ctx.pb.realtime.unsubscribe().catch(() => {});
}

// own follows what the signed-in person's access is made of: their user
// record and, for an aid worker, their organization. PocketBase sends no
// event of the records that leave their view when a superuser or a
// coordinator changes these (a role, an organization, a retirement): only
// of the record changed. So the screen subscribes to both (users/<id>: the
// users' rules let everyone read themselves; organizations/<id>: an aid
// worker reads their organization while it is active, and its retirement
// brings them a delete event, security/realtime_left.go) and calls
// changed() on each of their events, and after every connection made
// again (what changed meanwhile sent none): changed reads the user afresh
// (authRefresh) and decides. Two record topics more, counted against an
// aid worker's or volunteer's budget (security.MaxRecordTopics), none for
// a volunteer's organization: it grants nothing.
let own = null; // { key, unsubscribe: Promise<fn|null>[] }

export function follow(ctx, changed) {
  const me = ctx.me;
  if (!me) return;
  followed = changed;
  const org = me.role === 'aid_worker' && me.organization ? me.organization : '';
  const key = `${me.id}/${org}`;
  if (own?.key === key) return;
  if (own) unfollow();
  const o = { key, ready: false };
  const fire = (e) => { if (own === o && ctx.me?.id === me.id) changed(e); };
  const warn = (err) => {
    console.warn('realtime', 'own access', err?.status ?? err);
    if (busy(err) && own === o && ctx.me?.id === me.id) pause(ctx, err);
    return null;
  };
  const through = (fn) => { if (own === o) unpause(ctx); return fn; };
  o.unsubscribe = [ctx.pb.collection('users').subscribe(me.id, fire).then(through, warn)];
  if (org) o.unsubscribe.push(ctx.pb.collection('organizations').subscribe(org, fire).catch(warn));
  // the first PB_CONNECT comes with the connection these open, or came
  // before; a later one is a connection made again
  Promise.all(o.unsubscribe).then(() => { o.ready = true; });
  o.unsubscribe.push(ctx.pb.realtime.subscribe('PB_CONNECT', () => {
    if (o.ready) fire({ action: 'connected' });
  }).catch(() => null));
  own = o;
}

function unfollow() {
  const old = own;
  own = null;
  for (const p of old.unsubscribe) p.then((fn) => fn?.()).catch(() => {});
}

function drop() {
  const old = sub;
  sub = null;
  for (const p of [old.unsubscribe, old.reconnect]) p.then((fn) => fn?.()).catch(() => {});
}

// watch makes fn(events) the handler of collection's changes, subscribing
// if the view before watched another collection.
function watch(ctx, collection, fn) {
  handler = { collection, fn };
  if (events.length) schedule(ctx); // arrived while the view was fetched
  if (sub?.collection === collection) return;
  if (sub) drop();
  const me = ctx.me.id;
  const s = { collection, ready: false };
  const push = (e) => {
    if (sub !== s || ctx.me?.id !== me) return;
    events.push(e);
    schedule(ctx);
  };
  s.unsubscribe = ctx.pb.collection(collection).subscribe('*', push).then((fn2) => {
    // a change between the view's fetch and the subscription is caught up
    s.ready = true;
    push({ action: 'subscribed' });
    if (sub === s) unpause(ctx);
    return fn2;
  }, (err) => {
    // no connection: the view works as before, fetched when opened; the
    // server busy: the same, said, and asked again later (pause)
    console.warn('realtime', collection, err?.status ?? err);
    if (sub !== s) return null;
    sub = null;
    if (busy(err) && ctx.me?.id === me) pause(ctx, err);
    return null;
  });
  // PB_CONNECT comes with every connection, once the SDK has subscribed on
  // it again. The first comes before the subscription above is confirmed
  // (its own catch-up follows); a later one is a connection made again
  // after one dropped, and what changed in between is caught up the same
  // way. (Not a collection: no event of records, nothing of the budget.)
  s.reconnect = ctx.pb.realtime.subscribe('PB_CONNECT', () => {
    if (s.ready) push({ action: 'subscribed' });
  }).catch(() => null);
  sub = s;
}

// schedule handles the events that came within waitMs at once, and not
// while a request the person started is under way (ctx.busy): their
// answer renders first.
function schedule(ctx) {
  if (timer) return;
  timer = setTimeout(function run() {
    if (ctx.main.getAttribute('aria-busy') === 'true') {
      timer = setTimeout(run, waitMs);
      return;
    }
    timer = null;
    if (!handler || !events.length) return;
    const batch = events.filter((e) => e.action === 'subscribed' || e.record?.collectionName === handler.collection);
    events = [];
    if (batch.length) handler.fn(batch);
  }, waitMs);
}

// list keeps a list of collection current: refresh() fetches it again.
export function list(ctx, collection, refresh) {
  watch(ctx, collection, () => refresh());
}

// record watches the record shown on a page (view): rerender() fetches and
// renders it again; it does so itself when nothing on the page is being
// edited (an input changed or focused), else the page keeps what the
// person typed and says the record changed (says(latest): the id of the
// string, for the record as it is now), with a button to reload it. A
// <details> open before a redraw (the history) is opened again after it,
// and so fetched afresh. Events of the person's own writes carry the time
// the page shows after the write (act re-renders it) and change nothing.
// Once the subscription is confirmed, and after every connection made
// again, the record is fetched once more: a change made before sent no
// event. A change the page is not redrawn for tells the page's parts that
// follow it (the history box, a translation's read-only fields: class
// "follows") with a "record-changed" event, whose detail is the record as
// it is now when known. A delete (the record left the person's view)
// empties the page and says the record is no longer available to them
// (left).
export function record(ctx, view, collection, shown, rerender, says = () => 'review_changed_elsewhere') {
  let edited = editing.get(view);
  if (!edited) {
    edited = { yes: false };
    const mark = () => { edited.yes = true; };
    view.addEventListener('input', mark);
    view.addEventListener('change', mark);
    editing.set(view, edited);
  }
  edited.yes = false; // the page was just rendered afresh
  edited.redraw = false;
  const fn = async (batch) => {
    let mine = batch.filter((e) => e.record?.id === shown.id);
    if (batch.some((e) => e.action === 'subscribed')) {
      mine = mine.concat(await latest(ctx, collection, shown.id));
      if (handler?.fn !== fn) return; // the page was left or rendered anew meanwhile
    }
    const gone = mine.some((e) => e.action === 'delete');
    const now = mine.filter((e) => e.action !== 'delete' && e.record.updated > shown.updated).pop()?.record;
    if (!view.isConnected || !(gone || now)) return;
    if (gone) {
      left(ctx, view);
      return;
    }
    edited.says = says(now);
    if (inUse(view, edited)) {
      kept(ctx, view, edited.says, now);
      return;
    }
    edited.redraw = true;
    const open = [...view.querySelectorAll('details[open][id]')].map((d) => d.id);
    try {
      await rerender();
      for (const id of open) {
        const d = view.querySelector(`details[id="${CSS.escape(id)}"]`);
        if (d) d.open = true;
      }
    } catch {
      kept(ctx, view, edited.says);
    } finally {
      edited.redraw = false;
    }
  };
  watch(ctx, collection, fn);
}

// latest is the record as the server holds it now, as an event: a delete
// when the viewer may read it no more (404), nothing when unknown (no
// connection).
async function latest(ctx, collection, id) {
  try {
    return [{ action: 'update', record: await ctx.pb.collection(collection).getOne(id) }];
  } catch (err) {
    return err?.status === 404 ? [{ action: 'delete', record: { id } }] : [];
  }
}

// left: the record is no longer the person's to read (a delete event:
// it was deleted, or changed out of their view, such as a request taken
// from their organization; or a 404 at a catch-up). The page drops what it
// showed of it, what was typed too (nothing of it can be saved by them),
// and says so, keeping its link back to the list.
export function left(ctx, view) {
  if (view.querySelector('#gone')) return;
  const back = view.querySelector('a.back');
  view.replaceChildren(...[back,
    h('section', { class: 'note', id: 'gone', role: 'status' }, h('p', null, ctx.t('review_gone')))].filter(Boolean));
}

// inUse: whether the person is working on the page: an input changed or
// focused. An open history or other <details> is reading, not editing.
function inUse(view, edited) {
  const active = document.activeElement;
  return edited.yes || (view.contains(active) && ['INPUT', 'TEXTAREA', 'SELECT'].includes(active.tagName));
}

// kept: the page stays as it is (what the person typed kept) and says the
// record changed; the parts that follow the record (an open history, a
// translation's read-only fields) show the change: now, the record as it
// is now, is their event's detail when known.
function kept(ctx, view, text, now) {
  // a redraw that failed once the record had left: its page says so, and stays so
  if (view.querySelector('#gone')) return;
  for (const el of view.querySelectorAll('.follows')) el.dispatchEvent(new CustomEvent('record-changed', { detail: now }));
  notice(ctx, view, text);
}

// interrupted is what a page's render asks before it replaces view: true
// when live refresh started the render and the person began editing
// meanwhile (the record takes a moment to fetch on a slow link, and what
// they typed then would be lost): the page stays as it is, and says the
// record changed. false otherwise: a first render, or one during a
// request the person started (ctx.busy: their write's render, which
// reads what they typed from the server). now is the record the render
// fetched, passed on to the parts that follow it.
export function interrupted(ctx, view, now) {
  const edited = editing.get(view);
  if (!edited?.redraw || ctx.main.getAttribute('aria-busy') === 'true' || !inUse(view, edited)) return false;
  kept(ctx, view, edited.says, now);
  return true;
}

// editing: per page element, whether the person changed an input since it
// was rendered, and whether live refresh is rendering it again.
const editing = new WeakMap();

// notice tells the person the record changed (text: the string's id);
// Refresh renders it anew (and drops what they typed: their choice).
function notice(ctx, view, text = 'review_changed_elsewhere') {
  if (view.querySelector('#changed')) return;
  view.prepend(h('section', { class: 'note', id: 'changed', role: 'status' },
    h('p', null, ctx.t(text)),
    h('button', { type: 'button', id: 'act-reload', onclick: () => ctx.go(location.hash) }, ctx.t('review_refresh'))));
}
