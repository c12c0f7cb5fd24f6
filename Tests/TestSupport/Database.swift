import GRDB
import TTSStore

/// A read-only connection to `dbPath` (never migrates, never writes).
func readOnlyQueue(_ dbPath: String) throws -> DatabaseQueue {
    var config = Configuration()
    config.readonly = true
    return try DatabaseQueue(path: dbPath, configuration: config)
}

/// Counts rows with a read-only connection (-1 when the query returns no row).
public func countRows(_ dbPath: String, _ sql: String) throws -> Int {
    try readOnlyQueue(dbPath).read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
}

/// The first value of a read-only query.
public func query<T: DatabaseValueConvertible>(_ dbPath: String, _ sql: String) throws -> T? {
    try readOnlyQueue(dbPath).read { try T.fetchOne($0, sql: sql) }
}

/// Every string of a read-only query's first column.
public func stringRows(_ dbPath: String, _ sql: String) throws -> [String] {
    try readOnlyQueue(dbPath).read { try String.fetchAll($0, sql: sql) }
}

/// SQL that counts duplicated sample keys (must always be 0: the unique key forbids them).
public let duplicateSamplesSQL = """
    SELECT COUNT(*) FROM (SELECT pool, seed_index, item_id, temperature, sample_index FROM samples
    GROUP BY 1, 2, 3, 4, 5 HAVING COUNT(*) > 1)
    """

/// The row counts of a database, through the store's reader.
public func storeCounts(_ dbPath: String) throws -> StoreReader.Counts {
    try StoreReader(path: dbPath).counts()
}

/// Forges the database a crash leaves behind: the committed seed runs and their outcomes are
/// deleted (so the next run must redo them from what is recorded), after the rows of `table`
/// matching `lostWhere` (a crash that also lost part of the record), or all its rows when
/// `lostWhere` is empty.
public func simulateCrashBeforeCommit(_ dbPath: String, losing table: String? = nil, where lostWhere: String = "") throws {
    let lost = table.map { "DELETE FROM \($0)" + (lostWhere.isEmpty ? "" : " WHERE \(lostWhere)") + "; " } ?? ""
    let queue = try DatabaseQueue(path: dbPath)
    try queue.write { try $0.execute(sql: lost + "DELETE FROM outcomes; DELETE FROM seed_runs") }
    try queue.close()
}
