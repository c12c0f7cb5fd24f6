import GRDB

extension StoreReader {
    /// How many rows the main tables hold: what a run recorded, at a glance.
    public struct Counts: Sendable, Equatable {
        /// Recorded samples, and those recorded with an error.
        public var samples = 0, failedSamples = 0
        /// Auxiliary calls (judges, fusers, step searches, ...).
        public var auxCalls = 0
        /// Committed seed runs, their per-item outcomes, and recorded test decisions.
        public var seedRuns = 0, outcomes = 0, decisions = 0
        /// Failed requests not yet retried successfully.
        public var unresolvedFailures = 0
    }

    /// Counts the rows of the main tables (a table the schema lacks counts 0).
    public func counts() throws -> Counts {
        try db.read { db in
            // Older schemas read as they are may lack a table (no `failures` before schema-8): 0.
            func count(_ sql: String) throws -> Int {
                let table = sql.split(separator: " ")[3]
                return try db.tableExists(String(table)) ? try Int.fetchOne(db, sql: sql) ?? 0 : 0
            }
            return Counts(samples: try count("SELECT COUNT(*) FROM samples"),
                          failedSamples: try count("SELECT COUNT(*) FROM samples WHERE error IS NOT NULL"),
                          auxCalls: try count("SELECT COUNT(*) FROM aux_calls"),
                          seedRuns: try count("SELECT COUNT(*) FROM seed_runs"),
                          outcomes: try count("SELECT COUNT(*) FROM outcomes"),
                          decisions: try count("SELECT COUNT(*) FROM decisions"),
                          unresolvedFailures: try count("SELECT COUNT(*) FROM failures WHERE resolved = 0"))
        }
    }
}
