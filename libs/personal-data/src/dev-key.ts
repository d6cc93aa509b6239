import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateMasterKeyText, parseMasterKey } from './crypto';

export const DEV_MASTER_KEY_FILE = 'dev-personal-data-master-key';

/**
 * Development only (refused in production by the caller): the master key in DATA_DIR, created once, readable
 * by the user only, written aside and linked so processes starting together agree on it (as the dev JWT
 * secret). Anyone who has DATA_DIR has the key next to the vault: fine for a laptop, never for a province.
 */
export function readOrCreateDevMasterKey(dataDir: string): { text: string; file: string; generated: boolean } {
  const file = join(dataDir, DEV_MASTER_KEY_FILE);
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8').trim();
    parseMasterKey(text); // a damaged file fails loudly rather than silently making a new key (old data would not open)
    return { text, file, generated: false };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const text = generateMasterKeyText();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { text: readFileSync(file, 'utf8').trim(), file, generated: false };
  } finally {
    unlinkSync(tmp);
  }
  return { text, file, generated: true };
}
