import GRDB

/// Versioned migrations. Never edit a shipped migration: add a new one.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE suites (
                  name TEXT PRIMARY KEY,
                  fingerprint TEXT NOT NULL,
                  yaml TEXT NOT NULL,
                  task_digest TEXT NOT NULL,
                  compare_json TEXT NOT NULL,
                  created_at TEXT NOT NULL,
                  updated_at TEXT NOT NULL
                );
                CREATE TABLE systems (
                  suite TEXT NOT NULL REFERENCES suites(name),
                  name TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  model TEXT NOT NULL,
                  model_label TEXT NOT NULL,
                  strategy_label TEXT NOT NULL,
                  strategy TEXT NOT NULL,
                  verifier TEXT NOT NULL,
                  simulated INTEGER NOT NULL,
                  position INTEGER NOT NULL,
                  seeds_used INTEGER NOT NULL DEFAULT 0,
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
                  UNIQUE (pool, seed_index, item_id, temperature, sample_index)
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
                  failures INTEGER NOT NULL,
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
                  detail TEXT NOT NULL,
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
                """)
        }
        // Real endpoints: retries, cost and log-probabilities per sample; cost per item per seed
        // run; model fingerprints per suite (what a replay model serves).
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE samples ADD COLUMN attempts INTEGER;
                ALTER TABLE samples ADD COLUMN retry_log TEXT;
                ALTER TABLE samples ADD COLUMN cost REAL;
                ALTER TABLE samples ADD COLUMN logprobs TEXT;
                ALTER TABLE samples ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE seed_runs ADD COLUMN cost_per_item REAL;
                CREATE TABLE models (
                  suite TEXT NOT NULL,
                  name TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  label TEXT NOT NULL,
                  PRIMARY KEY (suite, name)
                );
                CREATE INDEX samples_by_seed ON samples(request_seed);
                """)
        }
        AuxiliarySchema.register(in: &m)  // "v3-aux": auxiliary model calls (Store+Auxiliary.swift)
        return m
    }
}
