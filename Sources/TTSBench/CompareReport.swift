import TTSCore
import TTSSuite
import TTSRuntime
import TTSReport
import AdaStop
import Foundation

/// What `ttsbench compare` prints: one plain sentence first (who is better by how many points
/// on these items, with the interval; whether that holds on a new draw of items; or, for "no
/// difference", whether it was an early accept and what it rules out, or the seeds ran out),
/// then the figures behind it.
public struct CompareReport: Sendable {
    public var a: String
    public var b: String
    /// nil never happens once finished: undecided comparisons become "equal" at the last interim.
    public var decision: Decision
    /// 0-based interim at which the decision was taken (printed 1-based everywhere).
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
    /// Whether seeds with the same index read the same samples (one pool, same seeds), so the
    /// seed bootstrap pairs them; two systems on different models or temperatures never do.
    public var paired: Bool
    /// The same difference over items and seeds (two-way bootstrap), and the paired item test.
    public var overItems: Leaderboard.PairedDifference? = nil
    public var itemTest: PairedItemTest.Result? = nil
    /// For an early "equal": the difference it rules out (score units), nil otherwise.
    public var ruledOut: Double? = nil

    /// How the comparison ended, in words.
    public enum Ending: String, Sendable {
        /// A significant difference.
        case decided
        /// "Equal" before the last interim: the difference is shown to be below a margin.
        case earlyAccept = "early_accept"
        /// "Equal" at the last interim: the seeds ran out without separating the systems.
        case seedsRanOut = "seeds_ran_out"
    }

    public var ending: Ending {
        guard decision == .equal else { return .decided }
        return interim + 1 < config.interims && ruledOut != nil ? .earlyAccept : .seedsRanOut
    }

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

    /// Accuracy differences read in points (0.052 → "5.2 points"); other metrics in their units.
    func amount(_ x: Double) -> String {
        metric == "accuracy" ? "\(fixed(abs(x) * 100, 1)) points" : fixed(abs(x), 4)
    }

    func signedAmount(_ x: Double) -> String {
        metric == "accuracy" ? (x >= 0 ? "+" : "-") + fixed(abs(x) * 100, 1) : (x >= 0 ? "+" : "") + fixed(x, 4)
    }

    func interval(_ lo: Double, _ hi: Double) -> String { "[\(signedAmount(lo)), \(signedAmount(hi))]" }

    /// The plain summary: a first sentence, then what the item test says and why the two can differ.
    public func summary() -> String {
        let alpha = shortNumber(config.alpha)
        let items = itemTest.map { "these \($0.items) items" } ?? "these items"
        let seeds = seedsA == seedsB ? "\(seedsA) seeds each" : "\(seedsA) and \(seedsB) seeds"
        var out: String
        switch ending {
        case .decided:
            let (better, worse) = decision == .larger ? (a, b) : (b, a)
            let d = decision == .larger ? difference : -difference
            let (lo, hi) = decision == .larger ? (ciLow, ciHigh) : (-ciHigh, -ciLow)
            out = "\(better) is better than \(worse) by \(amount(d)) on \(items) (95% CI \(interval(lo, hi)) over seeds; "
                + "AdaStop decided at interim \(interim + 1) of \(config.interims), \(seeds))."
            if let t = itemTest {
                if t.pValue <= config.alpha {
                    out += " It survives a new draw of items: the item test gives p = \(fixed(t.pValue, 4))"
                        + (overItems.map { ", and over items and seeds the 95% CI is \(interval(decision == .larger ? $0.ciLow : -$0.ciHigh, decision == .larger ? $0.ciHigh : -$0.ciLow))" } ?? "")
                        + "."
                } else {
                    out += " It may not survive a new draw of items: the item test gives p = \(fixed(t.pValue, 4)) (above alpha \(alpha))"
                        + (overItems.map { ", and over items and seeds the 95% CI \(interval(decision == .larger ? $0.ciLow : -$0.ciHigh, decision == .larger ? $0.ciHigh : -$0.ciLow)) includes 0" } ?? "")
                        + ". " + Self.whyTheyDiffer
                }
            }
        case .earlyAccept:
            out = "No difference between \(a) and \(b) on \(items): an early accept at interim \(interim + 1) of \(config.interims) "
                + "(\(seeds)). The difference is below \(amount(ruledOut ?? 0)): a difference of \(amount(ruledOut ?? 0)) or more is ruled out "
                + "(error at most \(shortNumber(config.futility?.beta ?? 0))). Observed \(a) − \(b): \(signedAmount(difference)), "
                + "95% CI \(interval(ciLow, ciHigh)) over seeds."
        case .seedsRanOut:
            out = "No difference detected between \(a) and \(b) on \(items): the seeds ran out (all \(config.interims) interims, \(seeds)) "
                + "without separating them. This is not evidence that they are equal: observed \(a) − \(b): \(signedAmount(difference)), "
                + "95% CI \(interval(ciLow, ciHigh)) over seeds."
            if let t = itemTest, t.pValue <= config.alpha {
                out += " The item test gives p = \(fixed(t.pValue, 4)). " + Self.whyTheyDiffer
            }
        }
        return out
    }

    /// Why AdaStop and the item test can disagree, in one sentence.
    public static let whyTheyDiffer = "Why the two can disagree: AdaStop compares the systems on these items (seeds vary only the sampling), "
        + "the item test asks whether the difference holds for other items drawn from the same source; a difference carried by a few "
        + "items can be real here and still not general."

    public func text() -> String {
        var out = summary() + "\n\n"
        out += "A: \(a)  (\(seedsA) seeds, mean \(metric) \(fixed(meanA, 4)))\n"
        out += "B: \(b)  (\(seedsB) seeds, mean \(metric) \(fixed(meanB, 4)))\n"
        out += "Verdict: \(verdict)\n"
        out += "Stopped at interim \(interim + 1) of \(config.interims) (group size \(config.groupSize), \(config.permutations) permutations, rule \(config.rule.rawValue)"
            + config.schemeDescription + ")\n"
        out += procedure.sentence + "\n"
        out += "Mean difference A − B: \(fixed(difference, 4)), 95% CI [\(fixed(ciLow, 4)), \(fixed(ciHigh, 4))] ("
            + (paired ? "paired bootstrap over seeds: the two systems read the same samples" : "bootstrap over seeds") + ")\n"
        if let d = overItems {
            out += "Over items and seeds: 95% CI [\(fixed(d.ciLow, 4)), \(fixed(d.ciHigh, 4))] (two-way bootstrap, \(d.items) items)\n"
        }
        if let t = itemTest {
            out += "Item test (paired permutation over \(t.items) items): p = \(fixed(t.pValue, 4))\n"
        }
        return out
    }

    /// Sorted keys; `interim` is 1-based, as in every output.
    public func json() -> String {
        // Rounded to 9 decimals, then canonical (shortest round-trip, integral values with ".0").
        func num(_ x: Double) -> JSONValue { .double((x * 1e9).rounded() / 1e9) }
        let value: JSONValue = .object([
            "a": .string(a), "alpha": .double(config.alpha), "b": .string(b), "ci_high": num(ciHigh), "ci_low": num(ciLow),
            "decision": .string(decision.rawValue), "difference": num(difference), "ending": .string(ending.rawValue),
            "group_size": .integer(config.groupSize), "guarantee": .string(procedure.guarantee), "interim": .integer(interim + 1),
            "item_test": itemTest.map { .object(["difference": num($0.difference), "items": .integer($0.items), "p_value": num($0.pValue)]) } ?? .null,
            "items_ci": overItems.map { .array([num($0.ciLow), num($0.ciHigh)]) } ?? .null, "max_interims": .integer(config.interims),
            "mean_a": num(meanA), "mean_b": num(meanB), "metric": .string(metric), "paired": .bool(paired),
            "permutations": .integer(config.permutations), "procedure": .string(procedure.key), "ruled_out": ruledOut.map(num) ?? .null,
            "seeds": .object([a: .integer(seedsA), b: .integer(seedsB)]),
            "summary": .string(summary()), "verdict": .string(verdict),
        ])
        return JSONWriter(layout: .line).string(value, order: [["seeds"]: [a, b]])
    }
}
