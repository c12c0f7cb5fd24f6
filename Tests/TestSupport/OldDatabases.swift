import GRDB
@testable import TTSStore

/// Forges a database as an older ttsbench left it: migrated up to `migration` (e.g.
/// "schema-7"), then `rows` inserts what it recorded (with `insertOldSample` and
/// `insertOldSeedRun`).
public func makeOldDatabase(at path: String, upTo migration: String, rows: (Database) throws -> Void) throws {
    let queue = try DatabaseQueue(path: path)
    try StoreSchema.migrator.migrate(queue, upTo: migration)
    try queue.write(rows)
    try queue.close()
}

/// A sample of pool `p`, item `i`, seed 0, in a forged old database (only the columns given).
public func insertOldSample(_ db: Database, temperature: Double, sampleIndex: Int, requestSeed: Int,
                            text: String?, answer: String? = nil, error: String? = nil) throws {
    var columns = ["pool", "item_id", "seed_index", "temperature", "sample_index", "request_seed", "text"]
    var values: [(any DatabaseValueConvertible)?] = ["p", "i", 0, temperature, sampleIndex, requestSeed, text]
    if let answer { columns.append("answer"); values.append(answer) }
    if let error { columns.append("error"); values.append(error) }
    try db.execute(sql: "INSERT INTO samples(\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                   arguments: StatementArguments(values))
}

/// A seed run of system `a/x` (fingerprint `fp`) over one item, in a forged old database.
public func insertOldSeedRun(_ db: Database, seed: Int = 0, accuracy: Double, failures: Int = 0) throws {
    try db.execute(sql: "INSERT INTO seed_runs(system_fp, seed_index, system_name, items, accuracy, tokens_per_item, "
        + "calls_per_item, latency_ms_per_item, failures) VALUES ('fp', ?, 'a/x', 1, ?, 10, 1, 5, ?)",
                   arguments: [seed, accuracy, failures])
}
