import TTSCore

extension Leaderboard {
    /// The leaderboard in one plain sentence, for readers who are not statisticians: which
    /// system is first, by how many points over the runner-up on these items (with the interval
    /// over items and seeds), and what the test says about that gap. Nil without rows.
    public var summary: String? {
        guard let top = rows.first else { return nil }
        let points = metric == "accuracy"
        func amount(_ x: Double) -> String { points ? "\(fixed(abs(x) * 100, 1)) points" : fixed(abs(x), 4) }
        func signed(_ x: Double) -> String { points ? (x >= 0 ? "+" : "-") + fixed(abs(x) * 100, 1) : (x >= 0 ? "+" : "") + fixed(x, 4) }
        guard rows.count >= 2 else {
            return "\(top.name) is the only system: \(metric) \(fixed(top.mean, 4)) over \(top.seeds) seed\(top.seeds == 1 ? "" : "s")."
        }
        let second = rows[1]
        var out = "\(top.name) is first with \(metric) \(fixed(top.mean, 4)), \(amount(top.mean - second.mean)) above \(second.name)"
        if let d = second.vsTop {
            // vsTop is second − top: flip it to read as the leader's margin.
            out += " (95% CI [\(signed(-d.ciHigh)), \(signed(-d.ciLow))] over items and seeds)"
        }
        let pair = decisions.first { Set([$0.a, $0.b]) == Set([top.name, second.name]) }
        switch pair?.decision {
        case "larger", "smaller":
            let p = pair?.itemTest.map { ", and the item test (p = \(fixed($0.pValue, 4))) " + ($0.pValue <= (settings?.alpha ?? 0.05)
                ? "says it holds on a new draw of items" : "says it may not hold on a new draw of items") } ?? ""
            out += "; AdaStop found the difference real on these items\(p)."
        case "equal":
            let early = (pair?.interim ?? -1) + 1 < (settings?.maxInterims ?? 0)
            out += early ? "; AdaStop accepted early that the two do not differ by more than its margin, so they share a rank."
                : "; AdaStop ran out of seeds without separating them, so they share a rank (not evidence that they are equal)."
        case "undecided":
            out += "; their comparison was left open (\(pair?.reason ?? "open")), so they share a rank."
        default:
            out += decisions.isEmpty ? "; no sequential test ran, so the order follows the means."
                : "; the two were not compared with each other."
        }
        return out
    }
}
