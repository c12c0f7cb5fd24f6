import TTSCore
import TTSSuite

/// Share `index` of `count` of a suite's work (`ttsbench run SUITE --shard 2/3`), by item:
/// an item belongs to the shard whose number is a stable hash of its id modulo `count`, so
/// every machine computes the same split from the data alone, whatever the order of the items,
/// the suite's seed or the seeds asked for. The shards of one count partition the items.
///
/// ```swift
/// let shard = try Shard(parsing: "2/3")
/// let mine = task.items.filter { shard.contains(itemID: $0.id) }
/// ```
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1-based: 1...count.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (1...count).contains(index) else {
            throw ShardError(message: "a shard is i/M with 1 <= i <= M, found \(index)/\(count)")
        }
        self.index = index
        self.count = count
    }

    /// "i/M", e.g. "2/3" (Slurm: `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT` with `--array=1-M`).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let m = Int(parts[1]) else {
            throw ShardError(message: "a shard is written i/M (e.g. 2/3 for the second of three), found '\(text)'")
        }
        try self.init(index: i, count: m)
    }

    public func contains(itemID: String) -> Bool {
        count == 1 || Int(StableHasher("shard", itemID).finalize() % UInt64(count)) == index - 1
    }

    /// The task restricted to this shard's items (same digest: pools and seeds are unchanged).
    public func restrict(_ task: LoadedTask) -> LoadedTask {
        var copy = task
        copy.items = task.items.filter { contains(itemID: $0.id) }
        return copy
    }

    public var description: String { "\(index)/\(count)" }
}

public struct ShardError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
