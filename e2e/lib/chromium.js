// Headless Chromium for the browser tests: the Debian package .ci/run
// installs (CHROMIUM_PATH overrides), launched the same way by every file.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// launchChromium starts it, or fails saying how to install it.
export async function launchChromium() {
  assert.ok(existsSync(chromiumPath),
    `Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium, as .ci/run does) ` +
    'or set CHROMIUM_PATH');
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
