// An offline-first device: an RxDB 17 database in memory, replicated with
// Aman through sync protocol v1 by RxDB's own replicateRxCollection. This is
// the adapter a phone app would carry; the tests drive it like a user.
//
// Mapping between RxDB and protocol v1:
// - pull: RxDB's checkpoint is {cp} holding the server's opaque checkpoint.
//   A change becomes a document (record fields + `rev`); a deleted change
//   (deleted record, or a record that left this user's view) becomes
//   {id, rev, _deleted: true}. Pages are fetched while `hasMore` and fewer
//   than batchSize documents were collected (RxDB stops pulling on a short
//   page). RxDB keeps no checkpoint from an empty page, so the adapter
//   remembers it and continues from there. A pulled document with a lower
//   rev than the local copy is dropped. `reset` refetches the collection from the start and deletes the
//   local documents the server no longer lists.
// - push: every RxDB row becomes one mutation. `baseRev` is the rev of the
//   assumed master state (null for a create); `data` holds every field for a
//   create and the changed fields for an update. The mutation id is a hash of
//   the mutation's content, so RxDB's retry of the same rows after a lost
//   response replays the same ids and the server answers from its record of
//   them (exactly once). RxDB keeps no queue of its own to hold a random id
//   per write; the price is that an identical edit from the same base rev
//   (the same edit made again after a rejection) gets the stored answer.
// - results: RxDB only knows "no conflict" or "here is the master state".
//   A result whose error says `retry` (a transient server failure, nothing
//   stored) fails the whole batch so RxDB sends it again.
//   `applied`/`merged` with a `record` hand that record back as master state
//   so the device learns the new rev and the server's merged fields at once
//   (the conflict handler then keeps the server's state, which already holds
//   the device's fields); without a record nothing is returned and the next
//   pull brings it. `conflict` returns the server's record (a tombstone if it
//   has none). `rejected` has no RxDB equivalent: the adapter returns the
//   server's state (the result's record; a tombstone when the result says
//   the record is gone or out of view, or for a refused create; otherwise
//   the last server state the device had) and marks the id so the conflict
//   handler takes that state whole instead of re-pushing the refused edit
//   forever. The server kept the refused data in sync_conflicts; the
//   rejection is listed in `device.rejections` for the app to show.
// - journal: every mutation sent is kept for two days (journalMs), not only
//   until its result arrives. When the server says it was restored from a
//   backup (a pull reset for `history`, or a push refused 409
//   sync_history_changed), the device pushes the journal again, with the
//   seen position it dropped as `lost`, before it pulls from the start or
//   pushes anything else: the server applies what the restore lost and
//   answers the rest from its record of them. Without it, the reset pull
//   would delete from the phone the reports the restore lost. The pushes
//   that follow carry `lost` too until every collection has pulled once
//   after the recovery (the queue the device had then; edits made later
//   have base revs of the restored server), and a mutation keeps the `lost`
//   of its first send for every retry.
// - conflict handler (3-way): a field the device changed (relative to the
//   assumed master) that the server did not change keeps the device's value
//   and is pushed again; a field both changed keeps the server's value (the
//   server preserved the device's value in sync_conflicts for its reviewers).
//   A deletion on either side, a rejection, or a create without a base state
//   takes the server's state.
import { createHash } from 'node:crypto';
import { createRxDatabase } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { deepEqual } from 'rxdb/plugins/utils';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { Subject } from 'rxjs';

import { Realtime } from './realtime.js';
import { SyncProtocol } from './sync-protocol.js';

// Fields the server owns or that describe the envelope, never sent in data.
const envelope = new Set(['id', 'rev', 'created', 'updated', 'collectionId', 'collectionName', 'expand',
  '_deleted', '_meta', '_rev', '_attachments']);

// toDocument maps a change (or a push result's record) to an RxDB document
// holding only the fields the device's schema knows. RxDB stores documents
// with additionalProperties: false, so a field the server adds in a later
// version would make every pulled document fail validation (RC_PULL, 422)
// while the checkpoint moves on: the device would silently keep stale data.
// Ignoring unknown fields is what keeps old app versions syncing.
export function toDocument(change, known) {
  if (change.deleted || !change.record) {
    return { id: change.id, rev: change.rev, _deleted: true };
  }
  const doc = { id: change.id, rev: change.rev, _deleted: false };
  for (const [k, v] of Object.entries(change.record)) {
    if (known.has(k) && !(k in doc)) doc[k] = v;
  }
  return doc;
}

function changedFields(next, base) {
  const data = {};
  for (const k of new Set([...Object.keys(next), ...Object.keys(base ?? {})])) {
    if (envelope.has(k)) continue;
    if (!base || !deepEqual(next[k], base[k])) data[k] = next[k] === undefined ? null : next[k];
  }
  return data;
}

export function toMutation(collection, row) {
  const next = row.newDocumentState;
  const base = row.assumedMasterState;
  const mutation = {
    collection,
    recordId: next.id,
    baseRev: base?.rev ?? null,
    data: next._deleted ? {} : changedFields(next, base),
    delete: !!next._deleted,
  };
  const digest = createHash('sha256').update(JSON.stringify(mutation)).digest('hex');
  return { id: digest.slice(0, 32), ...mutation };
}

function threeWayHandler(takeServer) {
  return {
    isEqual: (a, b) => deepEqual(a, b),
    async resolve({ assumedMasterState: base, realMasterState: server, newDocumentState: mine }) {
      if (takeServer.delete(server.id) || !base || server._deleted || mine._deleted) return server;
      const out = { ...server };
      for (const k of new Set([...Object.keys(mine), ...Object.keys(server)])) {
        if (envelope.has(k)) continue;
        const mineChanged = !deepEqual(mine[k], base[k]);
        const serverChanged = !deepEqual(server[k], base[k]);
        if (mineChanged && !serverChanged) {
          if (mine[k] === undefined) delete out[k];
          else out[k] = mine[k];
        }
      }
      return out;
    },
  };
}

// Device is one app install with its own database and device id.
export class Device {
  // name: unique per process (memory storage is keyed by it); schemas: RxDB
  // JSON schemas by collection name; push: false for a read-only reader;
  // live: pull whenever the server's realtime nudge says there are changes.
  constructor({ name, url, token = '', schemas, push = true, live = false, brief = false }) {
    this.name = name;
    this.protocol = new SyncProtocol({ url, token, client: `${name}-${crypto.randomUUID()}`, brief });
    this.schemas = schemas;
    // collection -> the fields its schema declares (see toDocument)
    this.known = Object.fromEntries(Object.entries(schemas).map(([c, sc]) => [c, new Set(Object.keys(sc.properties))]));
    this.withPush = push;
    this.replications = {};
    this.results = []; // every push result, with its mutation
    this.rejections = [];
    this.errors = []; // RxDB replication errors (RC_PULL, RC_PUSH)
    this.pulls = 0;
    this.loseResponses = 0;
    this.cuts = []; // see cutNextPush
    this.takeServer = new Set();
    this.emptyAhead = new Map(); // collection -> {from, to}: see pullHandler
    this.journal = new Map(); // mutation id -> {mutation, at}: see recover
    this.journalMs = 2 * 24 * 3600 * 1000;
    this.restored = null; // {lost, recovered, unpulled}: a restore being recovered from
    this.recovering = null;
    this.repushed = []; // results of journal pushes after a restore
    this.protocol.onHistory = (dropped) => this.onRestore(dropped);
    this.nudged$ = new Subject(); // 'RESYNC' for every realtime nudge
    this.realtime = live ? new Realtime({ url, token, onNudge: () => this.nudged$.next('RESYNC') }) : null;
  }

  async open() {
    this.db = await createRxDatabase({
      name: this.name,
      storage: wrappedValidateAjvStorage({ storage: getRxStorageMemory() }),
      multiInstance: false,
      ignoreDuplicate: false,
    });
    const collections = {};
    for (const [name, schema] of Object.entries(this.schemas)) {
      collections[name] = { schema, conflictHandler: threeWayHandler(this.takeServer) };
    }
    await this.db.addCollections(collections);
    for (const name of Object.keys(this.schemas)) this.replicate(name);
    await this.realtime?.start();
    await this.within(Promise.all(Object.values(this.replications).map((r) => r.awaitInitialReplication())),
      'initial replication');
    return this;
  }

  replicate(collection) {
    const rep = replicateRxCollection({
      collection: this.db[collection],
      replicationIdentifier: `aman-sync-v1:${collection}:${this.protocol.client}@${this.protocol.url}`,
      live: true,
      retryTime: 150,
      waitForLeadership: false,
      autoStart: true,
      pull: {
        batchSize: 100,
        handler: (cp, n) => this.pullHandler(collection, cp, n),
        stream$: this.nudged$.asObservable(),
      },
      push: this.withPush ? { batchSize: 50, handler: (rows) => this.pushHandler(collection, rows) } : undefined,
    });
    rep.error$.subscribe((e) => this.errors.push(e));
    this.replications[collection] = rep;
  }

  // onRestore notes that the server was restored: the journal must be
  // pushed again, with dropped as `lost`, before anything else.
  onRestore(dropped) {
    if (this.restored) return; // told again (a push's 409, then the pull's reset)
    this.restored = { lost: dropped, recovered: false, unpulled: new Set(Object.keys(this.schemas)) };
  }

  // recover pushes the journal again after a restore (once, however many
  // handlers ask at the same time).
  async recover() {
    if (!this.restored || this.restored.recovered) return;
    this.recovering ??= this.repushJournal().finally(() => { this.recovering = null; });
    await this.recovering;
  }

  // repushJournal pushes every mutation sent in the last two days again,
  // in the order first sent, with the dropped seen as `lost`, which each
  // keeps for its later retries. Their refusals are shown like any other.
  async repushJournal() {
    const cutoff = Date.now() - this.journalMs;
    const kept = [...this.journal.values()].filter((j) => j.at >= cutoff);
    for (let i = 0; i < kept.length; i += 500) {
      const chunk = kept.slice(i, i + 500);
      for (const j of chunk) j.lost = this.restored.lost;
      const mutations = chunk.map((j) => j.mutation);
      const { results } = await this.protocol.push(mutations, { lost: this.restored.lost });
      const transient = results.find((r) => r.error?.retry);
      if (transient) throw new Error(`server asked to retry the journal: ${JSON.stringify(transient.error)}`);
      results.forEach((result, n) => {
        this.repushed.push({ mutation: mutations[n], result });
        if (result.status === 'rejected') this.rejections.push({ mutation: mutations[n], error: result.error });
      });
    }
    this.restored.recovered = true;
  }

  // pulledAfterRestore ends the recovery once every collection has pulled
  // after the journal went: later pushes carry no `lost`.
  pulledAfterRestore(collection, recovered) {
    if (!this.restored?.recovered || !recovered) return;
    this.restored.unpulled.delete(collection);
    if (this.restored.unpulled.size === 0) this.restored = null;
  }

  // remember journals mutations about to be sent. A mutation keeps the
  // `lost` it was first sent with (the dropped seen while a restore is
  // being recovered from, else none) for every retry: a retry's base rev is
  // as old as the first send's.
  remember(mutations) {
    const now = Date.now();
    for (const [id, j] of this.journal) if (j.at < now - this.journalMs) this.journal.delete(id);
    for (const m of mutations) {
      if (!this.journal.has(m.id)) this.journal.set(m.id, { mutation: m, at: now, lost: this.restored?.lost ?? '' });
    }
  }

  // send pushes mutations, each with the `lost` it was journaled with: one
  // request per run of mutations that share it, in order.
  async send(mutations) {
    const results = [];
    for (let i = 0; i < mutations.length;) {
      const lost = this.journal.get(mutations[i].id).lost;
      if (this.cuts.length > 0 && (lost || !this.cuts[0].withLost)) {
        this.cuts.shift();
        throw new Error('simulated: connection cut before the push reached the server');
      }
      let j = i;
      while (j < mutations.length && this.journal.get(mutations[j].id).lost === lost) j++;
      results.push(...(await this.protocol.push(mutations.slice(i, j), { lost })).results);
      i = j;
    }
    return { results };
  }

  async pullHandler(collection, checkpoint, batchSize) {
    await this.recover();
    const recovered = !!this.restored?.recovered;
    const out = await this.pullPages(collection, checkpoint, batchSize);
    this.pulledAfterRestore(collection, recovered);
    return out;
  }

  async pullPages(collection, checkpoint, batchSize) {
    this.pulls++;
    const stored = checkpoint?.cp ?? '';
    // RxDB does not store the checkpoint of an empty page; without this the
    // device would pull from that old checkpoint forever (from the start, for
    // a reader with nothing to see yet), and the server would rescan the log.
    const ahead = this.emptyAhead.get(collection);
    let cp = ahead?.from === stored ? ahead.to : stored;
    const docs = new Map();
    for (;;) {
      const page = await this.protocol.pull({ collections: [collection], checkpoint: cp, limit: batchSize });
      if (page.reset) {
        this.emptyAhead.delete(collection);
        await this.recover(); // a reset for history: the journal first
        const out = await this.resetPull(collection, batchSize);
        this.pulledAfterRestore(collection, true);
        return out;
      }
      for (const change of page.changes) docs.set(change.id, toDocument(change, this.known[collection]));
      cp = page.checkpoint;
      if (!page.hasMore || docs.size >= batchSize) break;
    }
    if (docs.size === 0) this.emptyAhead.set(collection, { from: stored, to: cp });
    return { documents: await this.newerThanLocal(collection, docs), checkpoint: { cp } };
  }

  // newerThanLocal drops pulled documents older than the local copy (one
  // adopted from a push result while the page was in flight): a stale page
  // never lowers a rev (docs/sync.md, "Writing a client").
  async newerThanLocal(collection, docs) {
    const local = await this.db[collection].findByIds([...docs.keys()]).exec();
    return [...docs.values()].filter((d) => !(local.get(d.id)?.rev > d.rev));
  }

  // resetPull refetches the collection from the start and tombstones the
  // local documents that the server no longer lists for this user.
  // A reset answered to one of its own pages (a prune or a role change
  // meanwhile) starts it over: the pages before it may no longer hold.
  async resetPull(collection, batchSize) {
    const docs = new Map();
    let cp = '';
    for (let restarts = 0; ; ) {
      await this.duringResetPull?.(); // tests: what a user does meanwhile
      const page = await this.protocol.pull({ collections: [collection], checkpoint: cp, limit: batchSize });
      if (page.reset) {
        if (cp === '' || ++restarts > 3) throw new Error(`pull of ${collection} reset (${page.reason}) during a full refetch`);
        await this.recover(); // a reset for history: the journal first
        docs.clear();
        cp = '';
        continue;
      }
      for (const change of page.changes) docs.set(change.id, toDocument(change, this.known[collection]));
      cp = page.checkpoint;
      if (!page.hasMore) break;
    }
    for (const local of await this.db[collection].find().exec()) {
      if (!docs.has(local.id)) docs.set(local.id, { id: local.id, rev: local.rev, _deleted: true });
    }
    return { documents: [...docs.values()], checkpoint: { cp } };
  }

  async pushHandler(collection, rows) {
    const mutations = rows.map((row) => toMutation(collection, row));
    await this.recover();
    this.remember(mutations);
    let answer;
    try {
      answer = await this.send(mutations);
    } catch (err) {
      if (err.status !== 409 || err.body?.code !== 'sync_history_changed') throw err;
      // the journal (these among it, now with `lost`), then these again;
      // requests before the refused one may have been applied: they are
      // answered from the server's record of them
      await this.recover();
      answer = await this.send(mutations);
    }
    const { results } = answer;
    if (this.loseResponses > 0) {
      this.loseResponses--;
      throw new Error('simulated: push response lost on the way back');
    }
    if (!Array.isArray(results) || results.length !== mutations.length) {
      throw new Error(`push answered ${results?.length} results for ${mutations.length} mutations`);
    }
    results.forEach((result, i) => {
      if (result.id !== mutations[i].id) throw new Error(`result ${i} is for ${result.id}, not ${mutations[i].id}`);
    });
    // A transient refusal (error.retry) stored nothing: send the whole batch
    // again; the mutations that did go through are answered from the
    // server's record of them.
    const transient = results.find((r) => r.error?.retry);
    if (transient) throw new Error(`server asked to retry: ${JSON.stringify(transient.error)}`);
    const masters = [];
    results.forEach((result, i) => {
      this.results.push({ mutation: mutations[i], result });
      const master = this.masterState(mutations[i], rows[i], result);
      if (master) masters.push(master);
    });
    return masters;
  }

  // masterState maps one push result to what RxDB must take as the master
  // state of the document, or null when the pushed state is the master.
  masterState(mutation, row, result) {
    const known = this.known[mutation.collection];
    const change = { id: mutation.recordId, rev: result.rev, record: result.record };
    switch (result.status) {
      case 'applied':
      case 'merged':
        return result.record ? toDocument(change, known) : null;
      case 'conflict':
        return toDocument(change, known);
      case 'rejected':
        this.rejections.push({ mutation, error: result.error });
        this.takeServer.add(mutation.recordId);
        return this.rejectedState(change, row, result, known);
      default:
        throw new Error(`unknown push status ${JSON.stringify(result.status)} in ${JSON.stringify(result)}`);
    }
  }

  // rejectedState is the server's state after a refused mutation: the
  // result's record, a tombstone when the result says the record is gone or
  // out of view, else the last state this device had from the server (the
  // assumed master), or a tombstone for a refused create.
  rejectedState(change, row, result, known) {
    if (result.record || result.deleted || !row.assumedMasterState) return toDocument(change, known);
    return { ...row.assumedMasterState };
  }

  // cutNextPush makes the next push of RxDB's rows (withLost: the next one
  // that carries `lost`) fail before it reaches the server; a journal
  // pushed again is not cut.
  cutNextPush({ withLost = false } = {}) { this.cuts.push({ withLost }); }

  goOffline() { this.protocol.online = false; }

  goOnline() { this.protocol.online = true; }

  // loseNextPushResponse makes the next push reach the server but fail on
  // the way back, as on a 2G link that drops mid-request.
  loseNextPushResponse() { this.loseResponses++; }

  // sync pulls and pushes until this device and the server agree.
  async sync() {
    for (const rep of Object.values(this.replications)) {
      const before = this.pulls;
      rep.reSync();
      await this.within(waitFor(() => this.pulls > before), 'pull after reSync');
      await this.within(rep.awaitInSync(), 'awaitInSync');
    }
  }

  async docs(collection) {
    return (await this.db[collection].find().exec()).map((d) => d.toMutableJSON());
  }

  async doc(collection, id) {
    return (await this.db[collection].findOne(id).exec())?.toMutableJSON() ?? null;
  }

  async close() {
    this.realtime?.close();
    await Promise.all(Object.values(this.replications).map((r) => r.cancel()));
    await this.db?.close();
  }

  // within fails with what the server last answered when promise does not
  // settle in time: RxDB retries failing handlers forever, silently.
  async within(promise, what, timeoutMs = 15000) {
    let timer;
    const timeout = new Promise((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${this.name}: ${what} not done in ${timeoutMs} ms;\n` +
        `last exchanges: ${JSON.stringify(this.protocol.exchanges.slice(-3), null, 1)}\n` +
        `last errors: ${JSON.stringify(this.errors.slice(-2), null, 1)}`)), timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

// waitFor polls cond; it gives up quietly after 20 s (within() reports).
async function waitFor(cond) {
  const deadline = Date.now() + 20000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
