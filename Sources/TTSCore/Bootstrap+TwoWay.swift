/// Intervals over items *and* seeds: the two-way (pigeonhole) bootstrap of Owen (2007), "The
/// pigeonhole bootstrap", Annals of Applied Statistics 1(2). A score table `cells[seed][item]`
/// has two random factors: which items were drawn into the benchmark, and which seeds were run.
/// Each resample draws seeds with replacement and, independently, items with replacement, and
/// takes the mean of the table restricted to those rows and columns. Owen shows the resulting
/// variance is mildly conservative (it counts the interaction once more). A greedy system whose
/// seeds all agree still gets the item part of the width.
extension Bootstrap {
    /// 95% interval of the mean of a seeds x items table (rows of equal length).
    public static func twoWayInterval(_ cells: [[Double]], stream: String, seed: String,
                                      resamples: Int = 2000) -> (Double, Double) {
        var means = twoWayResamples([cells], stream: stream, seed: seed, resamples: resamples).map { $0[0] }
        return means.count > 1 ? percentiles(&means, means.count) : (means.first ?? 0, means.first ?? 0)
    }

    /// 95% interval of mean(x) − mean(y) for two seeds x items tables over the same items (same
    /// column order): items are resampled once for both (paired by item); seeds are resampled
    /// by index for both when the tables have the same number of seeds (paired by seed, as seeds
    /// with one index share samples in a shared pool), each on its own otherwise.
    public static func twoWayDifferenceInterval(_ x: [[Double]], _ y: [[Double]], stream: String, seed: String,
                                                resamples: Int = 2000) -> (Double, Double) {
        var diffs = twoWayResamples([x, y], stream: stream, seed: seed, resamples: resamples).map { $0[0] - $0[1] }
        return diffs.count > 1 ? percentiles(&diffs, diffs.count) : (diffs.first ?? 0, diffs.first ?? 0)
    }

    /// Resampled means of several tables sharing the item resample.
    static func twoWayResamples(_ tables: [[[Double]]], stream: String, seed: String, resamples: Int) -> [[Double]] {
        guard let items = tables.first?.first?.count, items > 0, tables.allSatisfy({ !$0.isEmpty }) else {
            return [[Double]](repeating: [Double](repeating: 0, count: tables.count), count: 1)
        }
        var rng = SplitMix64(stream, seed)
        let sameSeeds = Set(tables.map(\.count)).count == 1
        var itemWeight = [Double](repeating: 0, count: items)
        var out: [[Double]] = []
        out.reserveCapacity(resamples)
        for _ in 0..<resamples {
            for i in 0..<items { itemWeight[i] = 0 }
            for _ in 0..<items { itemWeight[Int(rng.next() % UInt64(items))] += 1 }
            var seedDraw: [Int] = []
            if sameSeeds { seedDraw = (0..<tables[0].count).map { _ in Int(rng.next() % UInt64(tables[0].count)) } }
            var means: [Double] = []
            for table in tables {
                let draw = sameSeeds ? seedDraw : (0..<table.count).map { _ in Int(rng.next() % UInt64(table.count)) }
                var total = 0.0
                for s in draw {
                    let row = table[s]
                    var rowSum = 0.0
                    for i in 0..<items where itemWeight[i] != 0 { rowSum += itemWeight[i] * row[i] }
                    total += rowSum
                }
                means.append(total / Double(draw.count * items))
            }
            out.append(means)
        }
        return out
    }
}

/// The paired permutation test over items (sign flips): beside each AdaStop verdict, "would
/// this difference survive another draw of items?". Each item's difference d_i (correctness
/// averaged over the seeds used, A minus B) keeps its size and gets a random sign; the p-value
/// is the share of flips whose |mean| reaches the observed one, counting the data itself
/// (Monte Carlo with `flips` draws, seeded: deterministic). Exact in the sense of a permutation
/// test: under "A and B are exchangeable on each item" its level holds for any item count.
public enum PairedItemTest {
    public struct Result: Sendable, Equatable {
        public var difference: Double
        public var pValue: Double
        public var items: Int
        public init(difference: Double, pValue: Double, items: Int) {
            self.difference = difference
            self.pValue = pValue
            self.items = items
        }
    }

    public static func run(_ differences: [Double], seed: String, flips: Int = 10_000) -> Result {
        let n = differences.count
        guard n > 0 else { return Result(difference: 0, pValue: 1, items: 0) }
        let observed = abs(differences.reduce(0, +))
        // Items with d = 0 never change the sum; skip them in the loop.
        let moving = differences.filter { $0 != 0 }
        var rng = SplitMix64("paired-item-test", seed)
        var atLeast = 1  // the data itself
        let tolerance = 1e-12 * Double(max(1, n))
        for _ in 0..<flips {
            var sum = 0.0
            var bits: UInt64 = 0
            for (i, d) in moving.enumerated() {
                if i % 64 == 0 { bits = rng.next() }
                sum += (bits & 1) == 0 ? d : -d
                bits >>= 1
            }
            if abs(sum) >= observed - tolerance { atLeast += 1 }
        }
        return Result(difference: differences.reduce(0, +) / Double(n), pValue: Double(atLeast) / Double(flips + 1), items: n)
    }
}
