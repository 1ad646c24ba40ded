// The embedded database's directory (DATA_DIR): one PGlite cannot open (a SIGKILL or a copy taken
// while the server ran can leave one) stops the server with a message that says which directory
// and what to do, not PGlite's bare "failed to initialize".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../server/db';

const root = mkdtempSync(join(tmpdir(), 'hearth-pglite-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('PGlite data directory', () => {
  it('a damaged one is refused with the directory named and the way out', async () => {
    const dir = join(root, 'damaged');
    mkdirSync(dir);
    writeFileSync(join(dir, 'PG_VERSION'), '17\n'); // a cluster's marker without the cluster
    await expect(openDb({ dataDir: dir })).rejects.toThrow(new RegExp(`data directory ${dir} could not be opened .*restore it from a backup`));
  });
});
