import TTSCore
import GRDB
import Synchronization

/// Which request-cache keys may be in a database: a 64-bit fingerprint of every key in the
/// `cache` table (read once, on the first lookup) and of every key stored since.
///
/// A fresh run looks up every sample's key and almost never finds it; with this index such a
/// miss costs a hash and a binary search instead of a SQLite read on another thread (see
/// bench/endpoint). A fingerprint collision only costs that read. Eight bytes per key read
/// from the table; keys stored since sit in a set (about twice that).
final class CacheKeyIndex: Sendable {
    private struct State {
        var loaded = false
        /// Fingerprints of the keys in the table when it was read, sorted.
        var table: [UInt64] = []
        /// Fingerprints of the keys stored since.
        var added: Set<UInt64> = []
    }
    private let state = Mutex(State())
    /// Held while the table is read, so that concurrent first lookups read it once.
    private let loading = Mutex(())

    /// FNV-1a over the key's UTF-8 bytes: stable, and uniform enough for hex digests.
    static func fingerprint(_ key: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }

    /// Reads the table's keys on first use.
    func loadIfNeeded(_ reader: any DatabaseReader) throws {
        if state.withLock({ $0.loaded }) { return }
        try loading.withLock { _ in
            if state.withLock({ $0.loaded }) { return }
            let fingerprints = try reader.read { db in
                var out: [UInt64] = []
                let keys = try String.fetchCursor(db, sql: "SELECT key FROM cache")
                while let key = try keys.next() { out.append(Self.fingerprint(key)) }
                return out.sorted()
            }
            state.withLock { s in
                s.table = fingerprints
                s.loaded = true
            }
        }
    }

    /// The keys that may be cached (all others certainly are not).
    func candidates(_ keys: [String]) -> [String] {
        let prints = keys.map(Self.fingerprint)
        return state.withLock { s in
            keys.indices.filter { s.added.contains(prints[$0]) || Self.contains(s.table, prints[$0]) }.map { keys[$0] }
        }
    }

    func insert<S: Sequence<String>>(_ keys: S) {
        let prints = keys.map(Self.fingerprint)
        state.withLock { s in s.added.formUnion(prints) }
    }

    private static func contains(_ sorted: [UInt64], _ x: UInt64) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == x
    }
}
