// The review screen (/review/) as a person meets it in headless Chromium:
// a fresh browser context per person, signed in through the page's own
// form, recording every API response body, realtime message, dialog and
// console error so that tests can assert on what reached the browser, not
// only on what the page shows.
import assert from 'node:assert/strict';

// signIn opens /review/ of url in a fresh context of browser (no stored
// token) and signs in as email with password. The session it returns
// holds the page and what the page saw. prepare(context), when given, runs
// before the page opens (routes the test sets up, such as refusing realtime).
export async function signIn(browser, url, email, password, prepare = null) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
  if (prepare) await prepare(context);
  const page = await context.newPage();
  const s = { context, page, bodies: [], pending: [], dialogs: [], errors: [], realtime: [] };
  // Realtime messages (Server-Sent Events on /api/realtime) are a response
  // that does not end, so page.on('response') never has their body:
  // Chromium's DevTools protocol reports each message as it arrives.
  const cdp = await context.newCDPSession(page);
  cdp.on('Network.eventSourceMessageReceived', (m) => s.realtime.push({ event: m.eventName, data: m.data }));
  await cdp.send('Network.enable');
  page.on('response', (res) => {
    const path = new URL(res.url()).pathname;
    // the realtime stream's body never ends (its messages: s.realtime)
    if (path.startsWith('/api/') && !(path === '/api/realtime' && res.request().method() === 'GET')) {
      s.pending.push(res.text().then((body) => s.bodies.push({ url: res.url(), status: res.status(), body }), () => {}));
    }
  });
  page.on('dialog', (d) => { s.dialogs.push(d.message()); d.dismiss(); });
  page.on('pageerror', (err) => s.errors.push(err.message));
  page.on('console', (m) => { if (m.type() === 'error') s.errors.push(m.text()); });
  const res = await page.goto(`${url}/review/`);
  assert.match(res.headers()['content-security-policy'], /script-src 'self';.*frame-ancestors 'none'/);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#sign-out').waitFor();
  return s;
}

// apiBodies are the API responses the session's page received so far
// (realtime messages are in s.realtime: {event, data}).
export async function apiBodies(s) {
  await Promise.all(s.pending);
  return s.bodies;
}

// listed returns the ids of the records the current list shows.
export async function listed(page) {
  await page.locator('#records li').first().waitFor();
  return page.locator('#records li[data-id]').evaluateAll((lis) => lis.map((li) => li.dataset.id));
}

// go sets the page's hash and waits for selector.
export async function go(page, hash, selector) {
  await page.evaluate((h) => { window.location.hash = h; }, hash);
  if (selector) await page.locator(selector).first().waitFor();
}

// cspErrors are the console's reports of what the CSP refused, and script
// errors: the page must need nothing the policy forbids. Refusals the
// tests provoke (a 400 or 404 from the API) are not errors of the page.
export function cspErrors(s) {
  return s.errors.filter((e) => !/^Failed to load resource: the server responded with a status of (400|404)/.test(e)
    && !/^ClientResponseError (400|404)/.test(e));
}
