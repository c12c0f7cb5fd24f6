@testable import TTSRuntime
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import Testing

/// Stored pools depend on these values: they must never change across versions or platforms.
/// The constants were computed once with an independent implementation (FNV-1a 64 over the
/// encoded parts, then the SplitMix64 finaliser).
@Suite struct SeedDerivationTests {
    @Test func splitMix64MatchesTheReferenceSequence() {
        // The published SplitMix64 sequence for seed 0.
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 7_960_286_522_194_355_700)
        #expect(rng.next() == 487_617_019_471_545_679)
        #expect(SplitMix64.mix(0) == 0xE220_A839_7B1D_CDAF)
    }

    @Test func stableHasherPinnedValues() {
        #expect(StableHasher().finalize() == 14_087_677_454_934_409_008)
        #expect(StableHasher("abc").finalize() == 2_923_018_850_191_238_959)
        #expect(StableHasher(42).finalize() == 8_232_430_529_595_739_763)
        #expect(StableHasher(UInt64(42)).finalize() == 8_232_430_529_595_739_763)
        // Parts are separated: ("ab", "c") and ("a", "bc") differ.
        #expect(StableHasher("ab", "c").finalize() == 3_429_670_967_035_293_676)
        #expect(StableHasher("a", "bc").finalize() == 14_364_735_163_151_853_761)
        // Seeded generators: the first draw of the arithmetic generator's item 0 under seed 7.
        var rng = SplitMix64("arithmetic", UInt64(7), 0)
        #expect(rng.next() == 8_360_616_022_809_189_029)
        // combine() is the same as the variadic initialiser.
        var h = StableHasher()
        h.combine("ab")
        h.combine("c")
        #expect(h.finalize() == StableHasher("ab", "c").finalize())
    }

    @Test func negativeZeroIsTheSameTemperature() {
        #expect(StableHasher(0.0).finalize() == StableHasher(-0.0).finalize())
        #expect(StableHasher(0.8).finalize() != StableHasher(0.80000001).finalize())
    }

    @Test func requestSeedIsPinnedAndDependsOnEveryIdentifier() async throws {
        let dir = try makeTempDir("seeds")
        let store = try Store(path: dir + "/s.sqlite")
        let pool = CallPool(store: store, suiteSeed: 20_261_128)
        let base = pool.requestSeed(pool: "pool-a", item: "arith-0", seedIndex: 0, temperature: 0.8, sampleIndex: 0)
        #expect(base == 336_155_917_040_891_210)
        #expect(CallPool(store: store, suiteSeed: 0).requestSeed(pool: "p", item: "i", seedIndex: 0, temperature: 0, sampleIndex: 0)
                == 4_827_811_451_543_066_118)

        let variants = [
            CallPool(store: store, suiteSeed: 20_261_129).requestSeed(pool: "pool-a", item: "arith-0", seedIndex: 0, temperature: 0.8, sampleIndex: 0),
            pool.requestSeed(pool: "pool-b", item: "arith-0", seedIndex: 0, temperature: 0.8, sampleIndex: 0),
            pool.requestSeed(pool: "pool-a", item: "arith-1", seedIndex: 0, temperature: 0.8, sampleIndex: 0),
            pool.requestSeed(pool: "pool-a", item: "arith-0", seedIndex: 1, temperature: 0.8, sampleIndex: 0),
            pool.requestSeed(pool: "pool-a", item: "arith-0", seedIndex: 0, temperature: 0.7, sampleIndex: 0),
            pool.requestSeed(pool: "pool-a", item: "arith-0", seedIndex: 0, temperature: 0.8, sampleIndex: 1),
            // Moving a character between neighbouring identifiers changes the seed too.
            pool.requestSeed(pool: "pool-aa", item: "rith-0", seedIndex: 0, temperature: 0.8, sampleIndex: 0),
        ]
        #expect(!variants.contains(base))
        #expect(Set(variants).count == variants.count)
        // Deterministic: the same identifiers give the same seed.
        #expect(pool.requestSeed(pool: "pool-a", item: "arith-0", seedIndex: 0, temperature: 0.8, sampleIndex: 0) == base)
    }

    @Test func seedsAreWellSpread() {
        // 10,000 neighbouring identifiers: no collision and balanced bits.
        var seen = Set<UInt64>()
        var ones = 0
        for i in 0..<10_000 {
            let s = StableHasher("sample", UInt64(1), "pool", "item-\(i)", 0, 0.8, 0).finalize()
            seen.insert(s)
            ones += s.nonzeroBitCount
        }
        #expect(seen.count == 10_000)
        let meanBits = Double(ones) / 10_000
        #expect(abs(meanBits - 32) < 0.5, "mean set bits \(meanBits)")
        var rng = SplitMix64(seed: 99)
        let us = (0..<20_000).map { _ in rng.uniform() }
        #expect(us.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(us.reduce(0, +) / 20_000 - 0.5) < 0.01)
        let zs = (0..<20_000).map { _ in rng.normal() }
        let mean = zs.reduce(0, +) / 20_000
        let variance = zs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 20_000
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05, "mean \(mean) variance \(variance)")
    }
}
