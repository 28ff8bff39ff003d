// A minimal PocketBase realtime (Server-Sent Events) client over fetch, for
// Node 20 which has no EventSource. It subscribes to Aman's sync nudge topic
// and calls onNudge for every nudge and on every (re)connection, when the
// client may have missed nudges: both mean "pull now".
export const nudgeTopic = 'aman/sync';

export class Realtime {
  constructor({ url, token = '', onNudge }) {
    this.url = url;
    this.token = token;
    this.onNudge = onNudge;
    this.abort = new AbortController();
    this.nudges = 0;
  }

  // start connects and subscribes; it resolves once subscribed.
  async start() {
    const res = await fetch(`${this.url}/api/realtime`, {
      headers: { accept: 'text/event-stream' }, signal: this.abort.signal,
    });
    if (!res.ok) throw new Error(`realtime connect: HTTP ${res.status}`);
    const events = this.events(res.body);
    const first = await events.next();
    if (first.done || first.value.event !== 'PB_CONNECT') throw new Error('realtime: no PB_CONNECT');
    await this.subscribe(JSON.parse(first.value.data).clientId);
    this.onNudge();
    this.loop = this.dispatch(events);
  }

  async subscribe(clientId) {
    const headers = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = this.token;
    const res = await fetch(`${this.url}/api/realtime`, {
      method: 'POST', headers, body: JSON.stringify({ clientId, subscriptions: [nudgeTopic] }),
    });
    if (res.status !== 204) throw new Error(`realtime subscribe: HTTP ${res.status}: ${await res.text()}`);
  }

  async dispatch(events) {
    try {
      for await (const ev of events) {
        if (ev.event !== nudgeTopic) continue;
        this.nudges++;
        this.onNudge();
      }
    } catch (err) {
      if (err.name !== 'AbortError') throw err;
    }
  }

  // events parses an SSE byte stream into {event, data} messages.
  async* events(body) {
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of body) {
      buf += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const msg = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          const i = line.indexOf(':');
          const [k, v] = i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1).replace(/^ /, '')];
          if (k === 'event') msg.event = v;
          else if (k === 'data') msg.data += v;
        }
        yield msg;
      }
    }
  }

  close() {
    this.abort.abort();
  }
}
