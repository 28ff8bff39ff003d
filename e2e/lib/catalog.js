// Reads a message of the project's own catalogs (locales/active.LANG.toml),
// so assertions on localized messages follow the translators' edits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot } from './server.js';

export function message(lang, id) {
  const toml = readFileSync(join(repoRoot, 'locales', `active.${lang}.toml`), 'utf8');
  const section = toml.split(/^\[/m).find((s) => s.startsWith(`${id}]`));
  const other = section?.match(/^other = "((?:[^"\\]|\\.)*)"$/m);
  if (!other) throw new Error(`no message ${id} in active.${lang}.toml`);
  return JSON.parse(`"${other[1]}"`);
}
