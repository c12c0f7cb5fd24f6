// Flat, preallocated buffers of the permutation machinery. Held by `AdaStopTest` through a
// copy-on-write reference, so that the hot loops work on raw pointers and never allocate per
// permutation.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

final class Workspace: @unchecked Sendable {
    /// Number of comparisons (one path row per comparison, decided ones stay unused).
    let rows: Int
    /// Paths per comparison row (>= every path count the test can reach: B).
    let capacity: Int
    /// Group size n.
    let n: Int
    /// Permutation path values, row-major: `paths[row * capacity + m]`.
    let paths: UnsafeMutablePointer<Double>
    /// Per-path maximum over a family, reordered by the selection.
    let maxValues: UnsafeMutablePointer<Double>
    /// Keep flags of the conditioning step.
    let keep: UnsafeMutablePointer<UInt8>
    /// Random splits of the current interim: per path, the n positions of the first group
    /// (ascending) then the n of the second group (ascending). `capacity * 2n` entries.
    private(set) var splits: UnsafeMutablePointer<UInt16>?
    /// All C(2n, n) splits in lexicographic order, same layout. `P * 2n` entries.
    private(set) var combos: UnsafeMutablePointer<UInt16>?
    private(set) var comboCount = 0
    /// Block means of every split for one comparison: `[m1, m2]` per split. `2 * P` entries.
    private(set) var blockMeans: UnsafeMutablePointer<Double>?

    init(rows: Int, capacity: Int, n: Int) {
        self.rows = rows
        self.capacity = capacity
        self.n = n
        paths = .allocate(capacity: max(1, rows * capacity))
        maxValues = .allocate(capacity: max(1, capacity))
        keep = .allocate(capacity: max(1, capacity))
    }

    deinit {
        paths.deallocate()
        maxValues.deallocate()
        keep.deallocate()
        splits?.deallocate()
        combos?.deallocate()
        blockMeans?.deallocate()
    }

    /// A deep copy (copy-on-write support). Only the live part of the path rows matters, but
    /// copying everything keeps this simple; it happens only when a test value is copied and
    /// then run.
    func copy() -> Workspace {
        let w = Workspace(rows: rows, capacity: capacity, n: n)
        w.paths.update(from: paths, count: max(1, rows * capacity))
        if let s = splits {
            w.ensureSplits().update(from: s, count: capacity * 2 * n)
        }
        if combos != nil {
            w.ensureCombos(count: comboCount)
        }
        return w
    }

    @discardableResult
    func ensureSplits() -> UnsafeMutablePointer<UInt16> {
        if let s = splits {
            return s
        }
        let s = UnsafeMutablePointer<UInt16>.allocate(capacity: max(1, capacity * 2 * n))
        splits = s
        return s
    }

    /// Enumerates the `count` = C(2n, n) splits in lexicographic order of the first group.
    @discardableResult
    func ensureCombos(count: Int) -> UnsafeMutablePointer<UInt16> {
        if let c = combos {
            return c
        }
        let width = 2 * n
        let table = UnsafeMutablePointer<UInt16>.allocate(capacity: max(1, count * width))
        let chosen = UnsafeMutablePointer<Int>.allocate(capacity: max(1, n))
        let member = UnsafeMutablePointer<Bool>.allocate(capacity: max(1, width))
        defer {
            chosen.deallocate()
            member.deallocate()
        }
        for i in 0..<n { chosen[i] = i }
        var s = 0
        while true {
            let row = table + s * width
            for i in 0..<width { member[i] = false }
            for i in 0..<n {
                row[i] = UInt16(chosen[i])
                member[chosen[i]] = true
            }
            var j = n
            for p in 0..<width where !member[p] {
                row[j] = UInt16(p)
                j += 1
            }
            s += 1
            // Next combination in lexicographic order.
            var i = n - 1
            while i >= 0 && chosen[i] == width - n + i { i -= 1 }
            if i < 0 { break }
            chosen[i] += 1
            for t in (i + 1)..<n { chosen[t] = chosen[t - 1] + 1 }  // i + 1 <= n
        }
        precondition(s == count, "split enumeration produced \(s) splits, expected \(count)")
        combos = table
        comboCount = count
        blockMeans = .allocate(capacity: max(1, 2 * count))
        return table
    }
}

/// Number of online processors (at least 1).
func onlineProcessorCount() -> Int {
    #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
    let c = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    return c > 0 ? Int(c) : 1
    #else
    return 1
    #endif
}
