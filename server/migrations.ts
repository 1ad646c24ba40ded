// Versioned SQL migrations, the same for PGlite and PostgreSQL, applied at start in one
// transaction under an advisory lock (two instances starting at once: the second waits, then
// finds them applied). Append only: never edit a migration that has shipped.
import type { Db } from './db';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'accounts, sessions, records, client states, chunks, rate limits',
    sql: `
      CREATE TABLE server_meta (
        key text PRIMARY KEY,
        value bytea NOT NULL
      );
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text NOT NULL UNIQUE,
        auth_hash text NOT NULL,
        kdf jsonb NOT NULL,
        wrapped_key jsonb NOT NULL,
        last_seq bigint NOT NULL DEFAULT 0,
        created_at bigint NOT NULL
      );
      CREATE TABLE sessions (
        token_hash bytea PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE INDEX sessions_user ON sessions(user_id);
      CREATE TABLE records (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        record_id uuid NOT NULL,
        seq bigint NOT NULL,
        ciphertext text NOT NULL,
        received_at bigint NOT NULL,
        PRIMARY KEY (user_id, record_id)
      );
      CREATE UNIQUE INDEX records_user_seq ON records(user_id, seq);
      CREATE TABLE client_states (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        client_id uuid NOT NULL,
        last_mutation_id bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (user_id, client_id)
      );
      CREATE TABLE chunks (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        attachment_id uuid NOT NULL,
        idx integer NOT NULL,
        data bytea NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (user_id, attachment_id, idx)
      );
      CREATE TABLE rate_limits (
        key text PRIMARY KEY,
        window_start bigint NOT NULL,
        count integer NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'per-account usage (quota), indexes for the clean-up',
    sql: `
      ALTER TABLE users ADD COLUMN used_bytes bigint NOT NULL DEFAULT 0;
      UPDATE users SET used_bytes =
        coalesce((SELECT sum(octet_length(ciphertext)) FROM records r WHERE r.user_id = users.id), 0) +
        coalesce((SELECT sum(octet_length(data)) FROM chunks c WHERE c.user_id = users.id), 0);
      CREATE INDEX sessions_expires ON sessions(expires_at);
      CREATE INDEX chunks_created ON chunks(created_at);
      CREATE INDEX rate_limits_window ON rate_limits(window_start);
    `,
  },
  {
    version: 3,
    name: 'users.epoch: names the history of each user\'s changes (a restore from a backup changes it)',
    sql: `ALTER TABLE users ADD COLUMN epoch text`,
  },
  {
    version: 4,
    name: 'pushes: a random mark per push (the seqs it was given), so a seq reused after a restore is told apart',
    sql: `
      CREATE TABLE pushes (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        first_seq bigint NOT NULL,
        last_seq bigint NOT NULL,
        mark uuid NOT NULL,
        PRIMARY KEY (user_id, last_seq)
      )`,
  },
];

/** Arbitrary constant naming the lock all instances take while migrating. */
const MIGRATION_LOCK = 0x4865_6172; // "Hear"

/** Applies the migrations not applied yet; returns their versions. */
export async function migrate(db: Db, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      for (const stmt of splitStatements(m.sql)) await tx.query(stmt);
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    }
    return applied;
  });
}

/** Migrations hold plain DDL (no semicolons inside strings or bodies): split on `;`. */
function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}
