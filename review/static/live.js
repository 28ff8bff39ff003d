// Live refresh: the view on the screen follows the changes of its
// collection through PocketBase's realtime (Server-Sent Events on
// /api/realtime, same origin), as the signed-in user: PocketBase sends a
// record's event only to those whose list rule lets them read it, through
// the privacy hook like any answer (an anonymous report comes without its
// reporter). One subscription at a time, to the collection of the view
// shown ('*'): a list re-fetches what it shows, a record's page re-renders
// when nothing is being edited there and otherwise says the record was
// changed, with a button to reload it. Subscriptions to records are bounded
// per account (security/realtime.go): one per open screen.
import { h } from './dom.js';

const waitMs = 500;

let sub = null; // { collection, unsubscribe: Promise<fn|null> }
let handler = null; // what the view shown does with its collection's events
let events = []; // events not yet handled
let timer = null;

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
  ctx.pb.realtime.unsubscribe().catch(() => {});
}

function drop() {
  const old = sub;
  sub = null;
  old.unsubscribe.then((fn) => fn?.()).catch(() => {});
}

// watch makes fn(events) the handler of collection's changes, subscribing
// if the view before watched another collection.
function watch(ctx, collection, fn) {
  handler = { collection, fn };
  if (events.length) schedule(ctx); // arrived while the view was fetched
  if (sub?.collection === collection) return;
  if (sub) drop();
  const me = ctx.me.id;
  const s = { collection };
  s.unsubscribe = ctx.pb.collection(collection).subscribe('*', (e) => {
    if (sub !== s || ctx.me?.id !== me) return;
    events.push(e);
    schedule(ctx);
  }).then((fn2) => {
    // a change between the view's fetch and the subscription is caught up
    if (sub === s) {
      events.push({ action: 'subscribed' });
      schedule(ctx);
    }
    return fn2;
  }, (err) => {
    // over the budget, or no connection: the view works as before, fetched when opened
    console.warn('realtime', collection, err?.status ?? err);
    if (sub === s) sub = null;
    return null;
  });
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
// edited (an input changed, focused, or the history open), else the page
// keeps what the person typed and says the record changed, with a button
// to reload it. Events of the person's own writes carry the time the page
// shows after the write (act re-renders it) and change nothing.
export function record(ctx, view, collection, shown, rerender) {
  let edited = editing.get(view);
  if (!edited) {
    edited = { yes: false };
    const mark = () => { edited.yes = true; };
    view.addEventListener('input', mark);
    view.addEventListener('change', mark);
    editing.set(view, edited);
  }
  edited.yes = false; // the page was just rendered afresh
  watch(ctx, collection, (batch) => {
    const mine = batch.filter((e) => e.record?.id === shown.id);
    const gone = mine.some((e) => e.action === 'delete');
    if (!view.isConnected || !(gone || mine.some((e) => e.record.updated > shown.updated))) return;
    const active = document.activeElement;
    const inUse = edited.yes || view.querySelector('details[open]')
      || (view.contains(active) && ['INPUT', 'TEXTAREA', 'SELECT'].includes(active.tagName));
    if (inUse || gone) notice(ctx, view);
    else rerender().catch(() => notice(ctx, view));
  });
}

// editing: per page element, whether the person changed an input since it
// was rendered.
const editing = new WeakMap();

// notice tells the person the record changed; Refresh renders it anew (and
// drops what they typed: their choice).
function notice(ctx, view) {
  if (view.querySelector('#changed')) return;
  view.prepend(h('section', { class: 'note', id: 'changed', role: 'status' },
    h('p', null, ctx.t('review_changed_elsewhere')),
    h('button', { type: 'button', id: 'act-reload', onclick: () => ctx.go(location.hash) }, ctx.t('review_refresh'))));
}
