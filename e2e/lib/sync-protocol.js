// A minimal HTTP client of Aman's sync protocol v1 (docs/sync.md):
// GET /api/sync/v1/pull and POST /api/sync/v1/push, with switches the tests
// use to cut the network. It knows nothing of RxDB.

// SyncHTTPError is a whole-request failure (4xx/5xx): the body is kept so a
// failing test shows the server's exact answer.
export class SyncHTTPError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path}: HTTP ${status}: ${JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

// OfflineError is what a request raises while the device is offline.
export class OfflineError extends Error {
  constructor() { super('device offline'); }
}

// gzip compresses text with the web platform's CompressionStream, as an
// app would.
async function gzip(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export class SyncProtocol {
  // url: the server; token: a users token, or '' for an anonymous reader;
  // client: the device id (one app install); brief: ask pushes for brief
  // answers (applied and merged results without their record, which the
  // next pull brings: docs/sync.md, Push).
  constructor({ url, token = '', client, brief = false }) {
    this.url = url;
    this.token = token;
    this.client = client;
    this.brief = brief;
    this.online = true;
    this.exchanges = []; // every request and its answer, in order
    // seen: the highest log position any answer carried, sent back with
    // every request so that a server restored to before it says so
    // (docs/sync.md, Epochs); history: how often it did
    this.seen = '';
    this.history = 0;
    // onHistory(dropped): called when the server says it was restored, with
    // the seen position dropped then (what pushes of the mutations sent
    // before send as `lost`; docs/sync.md, Writing a client)
    this.onHistory = null;
  }

  // remember keeps the highest position (answers to overlapping requests,
  // as RxDB sends them, arrive in any order).
  remember(position) {
    if (!position) return;
    const n = (p) => Number.parseInt(p.split('.')[0], 10);
    if (!this.seen || n(position) > n(this.seen)) this.seen = position;
  }

  withSeen(path) {
    if (!this.seen) return path;
    return `${path}${path.includes('?') ? '&' : '?'}seen=${encodeURIComponent(this.seen)}`;
  }

  headers(extra = {}) {
    const h = { accept: 'application/json', ...extra };
    if (this.token) h.authorization = this.token;
    return h;
  }

  // call sends body as JSON, gzip-compressed (the upload is what a phone on
  // 2G is shortest of; docs/sync.md, Push), and records the exchange.
  async call(method, path, body) {
    if (!this.online) throw new OfflineError();
    const told = this.history; // how often a restore was told before this request
    const init = { method, headers: this.headers(body ? { 'content-type': 'application/json' } : {}) };
    let sent = {};
    if (body) {
      const json = JSON.stringify(body);
      init.body = await gzip(json);
      init.headers['content-encoding'] = 'gzip';
      sent = { requestBytes: Buffer.byteLength(json), requestWireBytes: init.body.byteLength };
    }
    const res = await fetch(this.url + path, init);
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = { unparsable: text };
    }
    this.exchanges.push({
      method, path, request: body, ...sent, status: res.status, encoding: res.headers.get('content-encoding'), response: json,
    });
    // a request sent before a restore was told of answers that restore
    // again: its seen is already dropped, and the one since is good
    const restored = (res.status === 409 && json.code === 'sync_history_changed') || (json.reset && json.reason === 'history');
    if (restored && told === this.history) {
      this.history++;
      const dropped = this.seen;
      this.seen = '';
      this.onHistory?.(dropped);
    }
    if (res.status !== 200) throw new SyncHTTPError(method, path, res.status, json);
    this.remember(json.position);
    return json;
  }

  // pull returns one page: {changes, checkpoint, hasMore} or {reset: true}.
  pull({ collections, checkpoint = '', limit }) {
    const q = new URLSearchParams({ collections: collections.join(','), checkpoint });
    if (limit) q.set('limit', String(limit));
    return this.call('GET', this.withSeen(`/api/sync/v1/pull?${q}`));
  }

  // push sends mutations and returns {results}, one per mutation, in order.
  // lost: the seen position dropped when the server said it was restored,
  // for mutations whose base revs were learned before that (docs/sync.md,
  // Push).
  push(mutations, { lost = '' } = {}) {
    const q = new URLSearchParams();
    if (this.brief) q.set('brief', 'true');
    if (lost) q.set('lost', lost);
    const path = `/api/sync/v1/push${q.size ? `?${q}` : ''}`;
    return this.call('POST', this.withSeen(path), { client: this.client, mutations });
  }

  // pushes returns the push exchanges so far.
  pushes() {
    return this.exchanges.filter((e) => e.path.split('?')[0] === '/api/sync/v1/push');
  }
}
