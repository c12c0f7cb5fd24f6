import TTSCore
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ttsbench merge --into OUT A B ...`: the union of several databases of one schema version
/// (typically the shards of `ttsbench run --shard i/M`), written to a new database.
///
/// The merge knows no table by its columns: it reads the tables, their columns, keys and
/// foreign keys from the schema, so a table or column added by a later migration is merged
/// too. For each table, a row whose key is absent is copied; a row whose key is present must be
/// equal in every column, or the merge is refused with a message naming the table, the key
/// and the columns that differ (keys and seeds are deterministic, so shards never disagree;
/// a disagreement is a real conflict). Integer row ids are not copied but reassigned, and the
/// foreign keys that point at them are remapped through the parent's key.
///
/// Three kinds of tables are named here because their rows are not facts but bookkeeping:
/// - the registry (`suites`, `models`, `systems`), which the next run rewrites: the first
///   input's rows are kept (the earliest dates); a suite recorded with another fingerprint by
///   another input is refused;
/// - the AdaStop record (`interims`, `decisions`), a replay of the seed runs: not copied; the
///   next `ttsbench run` or `publish` on the output replays the test, generating nothing.
///
/// The output is built in a temporary file beside `OUT` and renamed over it only when every
/// input merged; an existing `OUT` is refused unless `force`. Inputs are read, never written,
/// and locked for the merge (a shard still running is refused).
///
/// ```swift
/// let report = try StoreMerge.merge(["a.sqlite", "b.sqlite"], into: "all.sqlite")
/// print(report.rowsAdded["samples"] ?? 0)
/// ```
public enum StoreMerge {
    public struct Report: Sendable {
        /// Rows copied per table (summed over the inputs).
        public var rowsAdded: [String: Int] = [:]
        /// Suites the output holds.
        public var suites: [String] = []
    }

    /// Rewritten by the next run: the first input's rows are kept.
    static let registryTables: Set<String> = ["suites", "models", "systems"]
    /// A replay of the recorded seed runs: recomputed by the next run, never copied.
    static let derivedTables: Set<String> = ["interims", "decisions"]

    public static func merge(_ inputs: [String], into output: String, force: Bool = false) throws -> Report {
        guard !inputs.isEmpty else { throw StoreError(message: "merge: name at least one database to merge") }
        let fm = FileManager.default
        let outputPath = URL(fileURLWithPath: output).standardizedFileURL.path
        var seen: Set<String> = []
        for input in inputs {
            guard fm.fileExists(atPath: input) else { throw StoreError(message: "merge: no database at \(input)") }
            let path = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
            if path == URL(fileURLWithPath: outputPath).resolvingSymlinksInPath().path {
                throw StoreError(message: "merge: the output \(output) is also an input; write the merge to a new file")
            }
            guard seen.insert(path).inserted else { throw StoreError(message: "merge: \(input) is named twice") }
        }
        if fm.fileExists(atPath: output) && !force {
            throw StoreError(message: "merge: \(output) exists; pass --force to replace it, or choose another --into")
        }
        let dir = (output as NSString).deletingLastPathComponent
        if !dir.isEmpty { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        // Locks: no run writes the output or an input while the merge reads them.
        let locks = try ([output] + inputs).map { try RunLock(database: $0) }
        defer { _ = locks }

        let temporary = output + ".merging-\(ProcessInfo.processInfo.processIdentifier)"
        for suffix in ["", "-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: temporary + suffix) }
        var report = Report()
        do {
            let queue = try DatabaseQueue(path: temporary)
            try StoreSchema.migrator.migrate(queue)
            let tables = try queue.read { try Schema.tables($0) }
            for input in inputs {
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [input])
                    defer { try? db.execute(sql: "DETACH DATABASE src") }
                    let version = try Int.fetchOne(db, sql: "PRAGMA src.user_version") ?? 0
                    guard version == StoreSchema.version else {
                        throw StoreError(message: "merge: \(input) has schema version \(version); this ttsbench merges schema version "
                            + "\(StoreSchema.version)" + (version < StoreSchema.version && version >= 4
                                ? " (a `ttsbench run` of its suite with this version upgrades it in place)" : ""))
                    }
                    try db.inTransaction {
                        try checkSuites(db, input: input)
                        for table in tables where !derivedTables.contains(table.name) {
                            try table.checkSource(db, input: input)
                            if !registryTables.contains(table.name) { try table.checkConflicts(db, input: input) }
                            try db.execute(sql: table.copySQL)
                            report.rowsAdded[table.name, default: 0] += db.changesCount
                        }
                        // The earliest dates: the suite was first recorded when its first shard started.
                        try db.execute(sql: """
                            UPDATE main.suites SET
                              created_at = min(created_at, (SELECT s.created_at FROM src.suites s WHERE s.name = suites.name)),
                              updated_at = min(updated_at, (SELECT s.updated_at FROM src.suites s WHERE s.name = suites.name))
                            WHERE name IN (SELECT name FROM src.suites)
                            """)
                        return .commit
                    }
                }
            }
            report.suites = try queue.read { try String.fetchAll($0, sql: "SELECT name FROM suites ORDER BY name") }
            try queue.close()
            for suffix in ["-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: output + suffix) }
            if rename(temporary, output) != 0 {
                throw StoreError(message: "merge: cannot move the merged database to \(output): \(String(cString: strerror(errno)))")
            }
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: temporary + suffix) }
            if let error = error as? StoreError { throw error }
            throw StoreError(message: "merge: \(error)")
        }
        return report
    }

    /// A suite recorded by two inputs under two fingerprints is two different suites.
    static func checkSuites(_ db: Database, input: String) throws {
        if let row = try Row.fetchOne(db, sql: """
            SELECT s.name, s.fingerprint AS theirs, m.fingerprint AS ours FROM src.suites s JOIN main.suites m ON m.name = s.name
            WHERE s.fingerprint != m.fingerprint LIMIT 1
            """) {
            let name: String = row["name"], theirs: String = row["theirs"], ours: String = row["ours"]
            throw StoreError(message: "merge: \(input) records suite '\(name)' with fingerprint \(theirs.prefix(16)), the inputs before it "
                + "with \(ours.prefix(16)): they ran different suites (a changed model, strategy, task or seed); merge only databases of one suite version")
        }
    }

    /// One table as the schema describes it.
    struct Table {
        var name: String
        var columns: [String]
        /// The integer primary key (a rowid alias), reassigned on copy.
        var rowID: String?
        /// The columns that identify a row (primary key or first unique index), rowid excluded.
        var key: [String]
        /// Foreign keys onto a parent's row id: column → (parent table, parent's key columns, parent's row id).
        var remapped: [String: (parent: String, key: [String], rowID: String)]

        /// The value copied for a column, read from the source row `x`.
        func expression(_ column: String) -> String {
            guard let fk = remapped[column] else { return "x.\(quote(column))" }
            let join = fk.key.map { "m.\(quote($0)) = s.\(quote($0))" }.joined(separator: " AND ")
            return "(SELECT m.\(quote(fk.rowID)) FROM main.\(quote(fk.parent)) m JOIN src.\(quote(fk.parent)) s ON \(join) "
                + "WHERE s.\(quote(fk.rowID)) = x.\(quote(column)))"
        }

        var copied: [String] { columns.filter { $0 != rowID } }

        var copySQL: String {
            "INSERT OR IGNORE INTO main.\(quote(name)) (\(copied.map(quote).joined(separator: ", "))) SELECT "
                + copied.map(expression).joined(separator: ", ") + " FROM src.\(quote(name)) x ORDER BY x.rowid"
        }

        /// The source must have this table with these columns (one schema version, but say so if not).
        func checkSource(_ db: Database, input: String) throws {
            let theirs = try Row.fetchAll(db, sql: "PRAGMA src.table_info(\(quote(name)))").map { $0["name"] as String }
            guard Set(theirs) == Set(columns) else {
                throw StoreError(message: "merge: \(input) has table '\(name)' with columns [\(theirs.joined(separator: ", "))], "
                    + "expected [\(columns.joined(separator: ", "))]")
            }
        }

        /// Refuses a row whose key the output holds with other values, naming the key and the columns.
        func checkConflicts(_ db: Database, input: String) throws {
            let compared = copied.filter { !key.contains($0) }
            guard !compared.isEmpty else { return }
            let select = copied.map { "\(expression($0)) AS \(quote($0))" }.joined(separator: ", ")
            let on = key.map { "m.\(quote($0)) = n.\(quote($0))" }.joined(separator: " AND ")
            let differs = compared.map { "n.\(quote($0)) IS NOT m.\(quote($0))" }.joined(separator: " OR ")
            let flags = compared.map { "(n.\(quote($0)) IS NOT m.\(quote($0))) AS \(quote("differs:" + $0))" }.joined(separator: ", ")
            let keys = key.map { "n.\(quote($0)) AS \(quote("key:" + $0))" }.joined(separator: ", ")
            let sql = "SELECT \(keys), \(flags) FROM (SELECT \(select) FROM src.\(quote(name)) x) n JOIN main.\(quote(name)) m ON \(on) "
                + "WHERE \(differs) LIMIT 1"
            guard let row = try Row.fetchOne(db, sql: sql) else { return }
            let keyText = key.map { column -> String in
                let value = row["key:" + column] as DatabaseValue
                return "\(column)=\(describe(value))"
            }.joined(separator: ", ")
            let columns = compared.filter { (row["differs:" + $0] as Bool?) == true }
            throw StoreError(message: "merge: \(input) and the inputs before it record different values for \(name) (\(keyText)): "
                + "\(columns.joined(separator: ", ")) differ. Shards of one suite never disagree; was this row generated twice "
                + "(overlapping shards, or a run on two machines)? Nothing was written.")
        }

        func describe(_ value: DatabaseValue) -> String {
            switch value.storage {
            case .null: "NULL"
            case .int64(let i): String(i)
            case .double(let d): String(d)
            case .string(let s): "'" + (s.count > 80 ? s.prefix(80) + "…" : s) + "'"
            case .blob(let b): "blob(\(b.count) bytes)"
            }
        }
    }

    enum Schema {
        /// The tables of the output's schema, parents before the tables that reference them.
        static func tables(_ db: Database) throws -> [Table] {
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            var info: [String: (columns: [String], rowID: String?, key: [String])] = [:]
            for name in names {
                let rows = try Row.fetchAll(db, sql: "PRAGMA table_info(\(quote(name)))")
                let columns = rows.map { $0["name"] as String }
                let pk = rows.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
                var rowID: String? = nil
                var key: [String] = []
                if pk.count == 1, (pk[0]["type"] as String).uppercased() == "INTEGER" {
                    rowID = pk[0]["name"]
                } else {
                    key = pk.map { $0["name"] as String }
                }
                if key.isEmpty {
                    for index in try Row.fetchAll(db, sql: "PRAGMA index_list(\(quote(name)))") where (index["unique"] as Bool) {
                        let indexName: String = index["name"]
                        let cols = try Row.fetchAll(db, sql: "PRAGMA index_info(\(quote(indexName)))")
                            .sorted { ($0["seqno"] as Int) < ($1["seqno"] as Int) }.compactMap { $0["name"] as String? }
                        if !cols.isEmpty && !cols.contains(where: { $0 == rowID }) { key = cols; break }
                    }
                }
                if key.isEmpty { key = columns.filter { $0 != rowID } }  // no key: a row is its values
                info[name] = (columns, rowID, key)
            }
            var tables: [Table] = []
            var parents: [String: Set<String>] = [:]
            for name in names {
                var remapped: [String: (parent: String, key: [String], rowID: String)] = [:]
                for fk in try Row.fetchAll(db, sql: "PRAGMA foreign_key_list(\(quote(name)))") {
                    let parent: String = fk["table"], from: String = fk["from"]
                    parents[name, default: []].insert(parent)
                    guard let p = info[parent] else { continue }
                    let to = (fk["to"] as String?) ?? p.rowID
                    if let rowID = p.rowID, to == rowID { remapped[from] = (parent, p.key, rowID) }
                }
                let i = info[name]!
                tables.append(Table(name: name, columns: i.columns, rowID: i.rowID, key: i.key.map { $0 }, remapped: remapped))
            }
            // Parents first (the schema has no cycles).
            var ordered: [Table] = []
            var placed: Set<String> = []
            while ordered.count < tables.count {
                let before = ordered.count
                for t in tables where !placed.contains(t.name) && (parents[t.name] ?? []).subtracting([t.name]).isSubset(of: placed) {
                    ordered.append(t)
                    placed.insert(t.name)
                }
                if ordered.count == before {  // a cycle: keep the rest in name order
                    ordered += tables.filter { !placed.contains($0.name) }
                    break
                }
            }
            return ordered
        }
    }

    static func quote(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
