// The review screen (/review/) refused for too many requests (429), in
// headless Chromium: a list whose fetch is refused shows the server's
// message and when to try again (its Retry-After); a live subscription the
// server refuses as busy (realtime_server_busy) shows a note, is asked for
// again after Retry-After, and the note goes once it is through, with live
// refresh working after (docs/review.md, Live refresh). The refusals are
// played by page.route: the server's own bounds are tested in Go
// (security, server).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { launchChromium } from './lib/chromium.js';
import { startServer } from './lib/server.js';
import { go, signIn as signInAt } from './lib/review-page.js';
import { createPeople, newReport, password } from './lib/people.js';

let server;
let people;
let browser;
const signIn = (email, prepare) => signInAt(browser, server.url, email, password, prepare);

before(async () => {
  server = await startServer();
  people = await createPeople(server);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// strings are the screen's strings in the language the page shows (the
// coordinator's account is Russian).
async function strings(page) {
  const lang = await page.evaluate(() => document.documentElement.lang);
  return (await (await fetch(`${server.url}/api/aman/review/messages?lang=${lang}`)).json()).messages;
}

// refusal is a 429 as the server words one (docs/operations.md, How a
// refusal for too many requests answers).
function refusal(field, code, message, seconds) {
  return {
    status: 429,
    headers: { 'Retry-After': String(seconds) },
    contentType: 'application/json',
    body: JSON.stringify({ status: 429, message, data: { [field]: { code, message } } }),
  };
}

describe('review screen, too many requests', () => {
  test('a refused live subscription says so, is asked again after Retry-After, and live refresh works after', async () => {
    let asked = 0; // subscribe requests for the view's collection
    let subscribes = 0;
    const s = await signIn(people.coordinator.email, (context) => context.route('**/api/realtime', (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      subscribes++;
      // the first that asks for the view's collection (the person's own
      // record may be asked for before, on its own)
      const asks = route.request().postDataJSON()?.subscriptions || [];
      if (asks.includes('incident_reports/*') && asked++ === 0) {
        return route.fulfill(refusal('subscriptions', 'realtime_server_busy',
          'The server is busy: live updates are paused. Try again later.', 1));
      }
      return route.continue();
    }));
    const { page } = s;
    const note = page.locator('#live-paused');
    await note.waitFor({ timeout: 10000 });
    const t = await strings(page);
    assert.match(t.review_live_paused, /\S/);
    assert.equal(await note.textContent(), t.review_live_paused);
    assert.equal(await page.locator('#flash.error').count(), 0, 'no error for it');
    await note.waitFor({ state: 'detached', timeout: 10000 });
    assert.ok(asked >= 2, `asked again for the view (${asked})`);
    await go(page, '#/reports', '.chips [data-key="queue"].on');
    const filed = await people.volunteerA.pb.collection('incident_reports').create(newReport(people.volunteerA.id, {
      description: 'Filed once live refresh came back.',
    }));
    await page.locator(`#records li[data-id="${filed.id}"]`).waitFor({ timeout: 10000 });
    assert.ok(s.realtime.some((m) => m.event === 'incident_reports/*' && m.data.includes(filed.id)), 'it came over realtime');
    // one refusal, one timer: no more subscribe requests than the screen's own
    const settled = subscribes;
    await page.waitForTimeout(2500);
    assert.equal(subscribes, settled, 'no retries once through');
    await s.context.close();
  });

  test('a list refused with 429 shows the server\'s message and when to try again', async () => {
    const s = await signIn(people.coordinator.email);
    const { page } = s;
    await go(page, '#/aid', '#records');
    let answered = 0;
    await page.route('**/api/collections/incident_reports/records?**', (route) => {
      if (route.request().method() !== 'GET' || answered++) return route.continue();
      return route.fulfill(refusal('request', 'rate_limited', 'Too many requests: wait and try again.', 7));
    });
    await page.evaluate(() => { location.hash = '#/reports'; });
    const flash = page.locator('#flash.error');
    await flash.waitFor({ timeout: 10000 });
    assert.equal(await flash.locator('p').first().textContent(), 'Too many requests: wait and try again.');
    const t = await strings(page);
    assert.ok(t.review_try_again_in.includes('{n}'));
    assert.equal(await flash.locator('.retry-after').textContent(), t.review_try_again_in.replace('{n}', '7'));
    assert.equal(answered, 1);
    await s.context.close();
  });
});
