import TTSCore
import TTSStore
import TTSSuite
import TTSRuntime
import TTSReport
import AdaStop
import Foundation

/// What `ttsbench compare` prints: the verdict, the seeds, the means and the difference with its interval.
public struct CompareReport: Sendable {
    public var a: String
    public var b: String
    /// nil never happens once finished: undecided comparisons become "equal" at the last interim.
    public var decision: Decision
    /// 0-based interim at which the decision was taken.
    public var interim: Int
    public var seedsA: Int
    public var seedsB: Int
    public var meanA: Double
    public var meanB: Double
    public var difference: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var config: AdaStopConfig
    public var metric: String
    public var paired: Bool
    /// The same difference over items and seeds (two-way bootstrap), and the paired item test.
    public var overItems: Leaderboard.PairedDifference? = nil
    public var itemTest: PairedItemTest.Result? = nil

    /// The procedure that decided this one comparison and its guarantee.
    public var procedure: Procedure {
        Procedure(agentCount: 2, comparisons: [Comparison(0, 1)], config: config)
    }

    public var verdict: String {
        switch decision {
        case .larger: "\(a) better"
        case .smaller: "\(b) better"
        case .equal: "no difference detected at alpha \(config.alpha)"
        }
    }

    public func text() -> String {
        var out = "A: \(a)  (\(seedsA) seeds, mean \(metric) \(fixed(meanA, 4)))\n"
        out += "B: \(b)  (\(seedsB) seeds, mean \(metric) \(fixed(meanB, 4)))\n"
        out += "Verdict: \(verdict)\n"
        out += "Stopped at interim \(interim + 1) of \(config.interims) (group size \(config.groupSize), \(config.permutations) permutations, rule \(config.rule.rawValue)"
            + config.schemeDescription + ")\n"
        out += procedure.sentence + "\n"
        out += "Mean difference A − B: \(fixed(difference, 4)), 95% CI [\(fixed(ciLow, 4)), \(fixed(ciHigh, 4))] (\(paired ? "paired" : "unpaired") bootstrap over seeds)\n"
        if let d = overItems {
            out += "Over items and seeds: 95% CI [\(fixed(d.ciLow, 4)), \(fixed(d.ciHigh, 4))] (two-way bootstrap, \(d.items) items)\n"
        }
        if let t = itemTest {
            out += "Item test (paired permutation over \(t.items) items): p = \(fixed(t.pValue, 4))\n"
        }
        return out
    }

    public func json() -> String {
        func num(_ x: Double) -> String { let r = (x * 1e9).rounded() / 1e9; return String(r) }
        return "{\"a\": \(jsonString(a)), \"alpha\": \(config.alpha), \"b\": \(jsonString(b)), \"ci_high\": \(num(ciHigh)), "
            + "\"ci_low\": \(num(ciLow)), \"decision\": \"\(decision.rawValue)\", \"difference\": \(num(difference)), "
            + "\"group_size\": \(config.groupSize), \"guarantee\": \(jsonString(procedure.guarantee)), \"interim\": \(interim), "
            + "\"item_test\": \(itemTest.map { "{\"difference\": \(num($0.difference)), \"items\": \($0.items), \"p_value\": \(num($0.pValue))}" } ?? "null"), "
            + "\"items_ci\": \(overItems.map { "[\(num($0.ciLow)), \(num($0.ciHigh))]" } ?? "null"), \"max_interims\": \(config.interims), "
            + "\"mean_a\": \(num(meanA)), \"mean_b\": \(num(meanB)), \"metric\": \(jsonString(metric)), \"paired\": \(paired), "
            + "\"permutations\": \(config.permutations), \"procedure\": \(jsonString(procedure.key)), \"seeds\": {\(jsonString(a)): \(seedsA), \(jsonString(b)): \(seedsB)}, "
            + "\"verdict\": \(jsonString(verdict))}"
    }
}

