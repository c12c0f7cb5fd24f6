import TTSCore
import GRDB

/// The database schema and its version.
///
/// `PRAGMA user_version` holds the schema version. Opening a database:
/// - written by this version: used as is;
/// - empty: created;
/// - older (schema 1-3, ttsbench 0.2: fingerprints of version 1, no run-time report data):
///   refused with a message naming both versions, never silently re-run from scratch;
/// - schema 4 or 5: migrated (schema-5 and schema-6 add columns; outcomes recorded before them
///   have no extraction figures or sequential tokens, which reports show as unknown);
/// - schema 6 to 9: migrated by a writer (schema-7 adds the `item_outcomes` table of sharded
///   runs; schema-8 adds `failures` and removes failed requests that were recorded as samples,
///   with the seed runs that scored them; schema-9 adds `systems.deterministic`; schema-10 the
///   thinking columns of reasoning models; schema-11 the samples read and rounds of outcomes),
///   read as is by a reader (no failures table: none
///   listed; a system recorded before schema 9 reads as not deterministic; reports read the
///   thinking columns only where they exist);
/// - newer: refused with a message naming both versions.
///
/// Later changes add migrations to `migrator` (never edit a shipped one) and bump `version`.
package enum StoreSchema {
    /// The schema this ttsbench writes.
    package static let version = 12

    package static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("schema-4") { db in
            try db.execute(sql: """
                CREATE TABLE suites (
                  name TEXT PRIMARY KEY,
                  fingerprint TEXT NOT NULL,
                  fingerprint_version INTEGER NOT NULL,
                  yaml TEXT NOT NULL,
                  task_digest TEXT NOT NULL,
                  compare_json TEXT NOT NULL,
                  provenance_json TEXT NOT NULL,
                  created_at TEXT NOT NULL,
                  updated_at TEXT NOT NULL
                );
                CREATE TABLE models (
                  suite TEXT NOT NULL,
                  name TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  label TEXT NOT NULL,
                  PRIMARY KEY (suite, name)
                );
                CREATE TABLE systems (
                  suite TEXT NOT NULL REFERENCES suites(name),
                  name TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  model TEXT NOT NULL,
                  model_label TEXT NOT NULL,
                  strategy TEXT NOT NULL,
                  strategy_label TEXT NOT NULL,
                  verifier TEXT NOT NULL,
                  simulated INTEGER NOT NULL,
                  position INTEGER NOT NULL,
                  seeds_used INTEGER NOT NULL DEFAULT 0,
                  variant_of TEXT,
                  variant TEXT,
                  family TEXT NOT NULL,
                  samples_per_item INTEGER NOT NULL,
                  PRIMARY KEY (suite, name)
                );
                -- One row per generated sample; the unique key makes duplicates impossible.
                CREATE TABLE samples (
                  id INTEGER PRIMARY KEY,
                  pool TEXT NOT NULL,
                  item_id TEXT NOT NULL,
                  seed_index INTEGER NOT NULL,
                  temperature REAL NOT NULL,
                  sample_index INTEGER NOT NULL,
                  request_seed INTEGER NOT NULL,
                  text TEXT,
                  answer TEXT,
                  finish_reason TEXT,
                  prompt_tokens INTEGER,
                  completion_tokens INTEGER,
                  latency_ms REAL,
                  error TEXT,
                  tokens_estimated INTEGER NOT NULL DEFAULT 0,
                  attempts INTEGER,
                  retry_log TEXT,
                  cost REAL,
                  logprobs TEXT,
                  cached INTEGER NOT NULL DEFAULT 0,
                  UNIQUE (pool, seed_index, item_id, temperature, sample_index)
                );
                CREATE INDEX samples_by_seed ON samples(request_seed);
                -- Auxiliary model calls (a fuser call, a refinement round, a continuation), keyed by
                -- the call's stable id, so a call is made once and replayed on resume.
                CREATE TABLE aux_calls (
                  id INTEGER PRIMARY KEY,
                  pool TEXT NOT NULL,
                  item_id TEXT NOT NULL,
                  seed_index INTEGER NOT NULL,
                  call_id TEXT NOT NULL,
                  request_seed INTEGER NOT NULL,
                  temperature REAL NOT NULL,
                  text TEXT,
                  answer TEXT,
                  finish_reason TEXT,
                  prompt_tokens INTEGER,
                  completion_tokens INTEGER,
                  latency_ms REAL,
                  error TEXT,
                  tokens_estimated INTEGER NOT NULL DEFAULT 0,
                  UNIQUE (pool, seed_index, item_id, call_id)
                );
                CREATE TABLE seed_runs (
                  id INTEGER PRIMARY KEY,
                  system_fp TEXT NOT NULL,
                  seed_index INTEGER NOT NULL,
                  system_name TEXT NOT NULL,
                  items INTEGER NOT NULL,
                  accuracy REAL NOT NULL,
                  tokens_per_item REAL NOT NULL,
                  calls_per_item REAL NOT NULL,
                  latency_ms_per_item REAL NOT NULL,
                  failures INTEGER NOT NULL,
                  cost_per_item REAL,
                  UNIQUE (system_fp, seed_index)
                );
                CREATE TABLE outcomes (
                  run_id INTEGER NOT NULL REFERENCES seed_runs(id),
                  item_index INTEGER NOT NULL,
                  item_id TEXT NOT NULL,
                  answer TEXT,
                  correct INTEGER NOT NULL,
                  reward REAL,
                  prompt_tokens INTEGER NOT NULL,
                  completion_tokens INTEGER NOT NULL,
                  calls INTEGER NOT NULL,
                  failures INTEGER NOT NULL,
                  latency_ms REAL NOT NULL,
                  detail TEXT NOT NULL,
                  pool_scores TEXT,
                  PRIMARY KEY (run_id, item_index)
                );
                -- Content-addressed request cache (real endpoints): full canonical request -> response.
                CREATE TABLE cache (
                  key TEXT PRIMARY KEY,
                  response BLOB NOT NULL
                );
                -- AdaStop bookkeeping: one row per interim, one per decided comparison.
                CREATE TABLE interims (
                  suite TEXT NOT NULL,
                  interim INTEGER NOT NULL,
                  boundary REAL,
                  level_spent REAL NOT NULL,
                  active_json TEXT NOT NULL,
                  PRIMARY KEY (suite, interim)
                );
                CREATE TABLE decisions (
                  suite TEXT NOT NULL,
                  a TEXT NOT NULL,
                  b TEXT NOT NULL,
                  decision TEXT NOT NULL,
                  interim INTEGER NOT NULL,
                  mean_a REAL NOT NULL,
                  mean_b REAL NOT NULL,
                  PRIMARY KEY (suite, a, b)
                );
                PRAGMA user_version = 4;
                """)
        }
        // The extraction rule that read each sample's answer, and per outcome how many of the
        // completions the strategy read had no answer (with the first such completion).
        m.registerMigration("schema-5") { db in
            try db.execute(sql: """
                ALTER TABLE samples ADD COLUMN extract_rule TEXT;
                ALTER TABLE outcomes ADD COLUMN completions INTEGER;
                ALTER TABLE outcomes ADD COLUMN no_answer INTEGER;
                ALTER TABLE outcomes ADD COLUMN no_answer_text TEXT;
                PRAGMA user_version = 5;
                """)
        }
        // Per outcome the generated tokens on the critical path (the latency axis), and their
        // mean per item on each seed run; NULL on rows written before schema 6.
        m.registerMigration("schema-6") { db in
            try db.execute(sql: """
                ALTER TABLE outcomes ADD COLUMN sequential_tokens INTEGER;
                ALTER TABLE seed_runs ADD COLUMN sequential_tokens_per_item REAL;
                PRAGMA user_version = 6;
                """)
        }
        // A sharded run (`run --shard i/M`) covers some items of every seed run, so it cannot write
        // `seed_runs` (their scores aggregate over all items): it records each item's outcome here,
        // and a run on the merged database assembles the seed runs from them without generating.
        m.registerMigration("schema-7") { db in
            try db.execute(sql: """
                CREATE TABLE item_outcomes (
                  system_fp TEXT NOT NULL,
                  seed_index INTEGER NOT NULL,
                  item_id TEXT NOT NULL,
                  system_name TEXT NOT NULL,
                  outcome_json TEXT NOT NULL,
                  PRIMARY KEY (system_fp, seed_index, item_id)
                );
                PRAGMA user_version = 7;
                """)
        }
        // A failed request is not a sample. Items left unfinished by one are recorded in
        // `failures` (for diagnosis; resolved when a later run commits the seed run). Databases
        // before schema 8 recorded failed requests as samples with an error and no text, and
        // scored them as incorrect: those samples and auxiliary calls are removed (the next run
        // asks again), and so are the seed runs and item outcomes that counted them.
        m.registerMigration("schema-8") { db in
            try db.execute(sql: """
                CREATE TABLE failures (
                  suite TEXT NOT NULL,
                  system_fp TEXT NOT NULL,
                  system_name TEXT NOT NULL,
                  seed_index INTEGER NOT NULL,
                  item_id TEXT NOT NULL,
                  model TEXT NOT NULL,
                  url TEXT NOT NULL,
                  cause TEXT NOT NULL,
                  message TEXT NOT NULL,
                  attempts INTEGER NOT NULL,
                  resolved INTEGER NOT NULL DEFAULT 0,
                  PRIMARY KEY (system_fp, seed_index, item_id)
                );
                DELETE FROM samples WHERE error IS NOT NULL AND text IS NULL;
                DELETE FROM aux_calls WHERE error IS NOT NULL AND text IS NULL;
                DELETE FROM outcomes WHERE run_id IN (SELECT id FROM seed_runs WHERE failures > 0);
                DELETE FROM seed_runs WHERE failures > 0;
                DELETE FROM item_outcomes WHERE json_extract(outcome_json, '$.failures') > 0;
                PRAGMA user_version = 8;
                """)
        }
        // Whether a system is deterministic (every generation at temperature 0 on a model that
        // answers it the same way for every seed): it generates one seed's samples and reads them
        // for every seed index, and the leaderboard says so beside its seeds.
        m.registerMigration("schema-9") { db in
            try db.execute(sql: """
                ALTER TABLE systems ADD COLUMN deterministic INTEGER;
                PRAGMA user_version = 9;
                """)
        }
        // Reasoning models: each sample and auxiliary call records its thinking apart from its
        // answer text, with its thinking tokens; each outcome its thinking tokens and how many
        // completions ended inside their thinking; each seed run its thinking tokens per item.
        // Texts written from this version on may be zstd-compressed BLOBs (`StoredText`).
        m.registerMigration("schema-10") { db in
            try db.execute(sql: """
                ALTER TABLE samples ADD COLUMN reasoning BLOB;
                ALTER TABLE samples ADD COLUMN reasoning_tokens INTEGER;
                ALTER TABLE aux_calls ADD COLUMN reasoning BLOB;
                ALTER TABLE aux_calls ADD COLUMN reasoning_tokens INTEGER;
                ALTER TABLE aux_calls ADD COLUMN extract_rule TEXT;
                ALTER TABLE outcomes ADD COLUMN thinking_tokens INTEGER;
                ALTER TABLE outcomes ADD COLUMN unfinished_thinking INTEGER;
                ALTER TABLE seed_runs ADD COLUMN thinking_tokens_per_item REAL;
                PRAGMA user_version = 10;
                """)
        }
        // Adaptive votes: each outcome records the pooled samples it read and, for strategies
        // that read the pool round by round, the sequential rounds.
        m.registerMigration("schema-11") { db in
            try db.execute(sql: """
                ALTER TABLE outcomes ADD COLUMN samples_read INTEGER;
                ALTER TABLE outcomes ADD COLUMN rounds INTEGER;
                PRAGMA user_version = 11;
                """)
        }
        // Every call priced at its own model: each auxiliary call (fuser, refinement, a judge's
        // verdict) records the model that answered it, its attempts and its cost, as samples do;
        // each seed run records its verifier's (a judge's) calls, tokens and US dollars per item,
        // apart from the generator's (`cost_per_item` is their sum).
        m.registerMigration("schema-12") { db in
            try db.execute(sql: """
                ALTER TABLE aux_calls ADD COLUMN model TEXT;
                ALTER TABLE aux_calls ADD COLUMN attempts INTEGER;
                ALTER TABLE aux_calls ADD COLUMN cost REAL;
                ALTER TABLE seed_runs ADD COLUMN verifier_calls_per_item REAL;
                ALTER TABLE seed_runs ADD COLUMN verifier_tokens_per_item REAL;
                ALTER TABLE seed_runs ADD COLUMN verifier_cost_per_item REAL;
                PRAGMA user_version = 12;
                """)
        }
        return m
    }

    /// The schema version of an open database: `user_version`, or 1-3 for a database of
    /// ttsbench 0.2 (which recorded its migrations but not the version), or 0 when empty.
    static func version(of db: Database) throws -> Int {
        let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if userVersion > 0 { return userVersion }
        guard try db.tableExists("grdb_migrations") else {
            return try db.tableExists("suites") ? 1 : 0
        }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        return applied.contains("v3-aux") ? 3 : applied.contains("v2") ? 2 : applied.isEmpty ? 0 : 1
    }

    /// Refuses a database of another schema version, naming both. A writer (`migrating`) upgrades
    /// schema 4 in place; a read-only reader cannot, and says how to upgrade it.
    static func check(_ db: Database, path: String, migrating: Bool = true) throws {
        let found = try version(of: db)
        if found == 0 || found == version { return }
        // schema-7 and 8 add tables a reader does without, schema-9 an optional column; a writer upgrades
        if (6..<version).contains(found) { return }
        if found == 4 || found == 5 {
            if migrating { return }  // schema-5 and schema-6 add columns
            throw StoreError(message: "the database \(path) has schema version \(found); this ttsbench reads schema version \(version), "
                + "which records how each answer was extracted and the sequential tokens of each outcome. Any `ttsbench run` or "
                + "`publish` on it upgrades it in place (its recorded samples and seed runs are kept).")
        }
        if found > version {
            throw StoreError(message: "the database \(path) has schema version \(found), written by a newer ttsbench; "
                + "this ttsbench reads schema version \(version). Use a newer ttsbench, or another --db.")
        }
        throw StoreError(message: "the database \(path) has schema version \(found) (ttsbench 0.2, fingerprints of version 1); "
            + "this ttsbench writes schema version \(version) (fingerprints of version \(Fingerprint.version), with the data "
            + "reports need recorded at run time) and cannot reuse its samples. Run with a new --db, "
            + "or read the old database with ttsbench 0.2.")
    }
}
