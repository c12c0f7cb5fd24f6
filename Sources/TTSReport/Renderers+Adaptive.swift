import TTSCore
import AdaStop
import Foundation

/// The "Adaptive stopping" section of the Markdown, JSON and HTML leaderboards: present only on
/// a board with adaptive systems, so other boards keep their bytes.
extension LeaderboardText {
    static func adaptiveMarkdown(_ board: Leaderboard) -> String {
        let a = board.adaptive
        guard !a.isEmpty else { return "" }
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = "\n## Adaptive stopping\n\nSystems that read their pool's samples 0, 1, 2, … and stop when a rule fires: "
        out += "the samples and rounds (a round's samples run in parallel) they read per item, as recorded.\n\n"
        if !a.systems.isEmpty {
            out += "| System | Strategy | \(board.metric.capitalized) | Max N | Samples/item | Rounds/item | Stopped early | Tokens/item | Sequential tokens/item |\n"
            out += "|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
            for s in a.systems { out += "| " + adaptiveCells(s).map(cell).joined(separator: " | ") + " |\n" }
        }
        for c in a.curves {
            out += "\n### \(cell(c.model)): \(cell(c.rule)) at max N = \(c.maxN), over the pools of \(cell(c.pool)) (\(c.pools) item-seeds)\n\n"
            out += adaptiveCurveMethod(c) + "\n\n"
            out += "| \(c.parameterName.capitalized) | Samples/item | Rounds/item | \(board.metric.capitalized) | maj@k at the same samples | Tokens/item |\n"
            out += "|---:|---:|---:|---:|---:|---:|\n"
            for p in c.points { out += "| " + adaptiveCells(p).joined(separator: " | ") + " |\n" }
            out += "\nmaj@k, k = 1…\(c.maxN): " + c.majority.map { fixed($0, 4) }.joined(separator: ", ") + "\n"
            if c.ordersPerPool == nil, c.points.contains(where: { !$0.exact }) {
                out += "\n\\* some pools averaged over \(monteCarloOrders) random orders (too many states for the exact count).\n"
            }
        }
        if !a.missingCurves.isEmpty {
            out += "\nNo curve:\n\n" + a.missingCurves.map { "- " + cell($0) + "\n" }.joined()
        }
        return out
    }

    /// How a curve's points were computed (one sentence, plain text).
    static func adaptiveCurveMethod(_ c: Leaderboard.AdaptiveCurve) -> String {
        guard let orders = c.ordersPerPool else {
            return "Expected over every order of each recorded pool (exact, like maj@k), beside maj@k at the same expected samples."
        }
        return "Each vote weighted by its sample's recorded reward (\(c.weighting ?? "sigmoid")), as the strategy weights it; averaged over "
            + "\(orders) random orders of each recorded pool (Monte Carlo, marked *: the weights are continuous), beside maj@k at the same expected samples."
    }
}

extension LeaderboardText {
    /// One adaptive system's cells, shared by the Markdown and HTML tables.
    static func adaptiveCells(_ s: Leaderboard.AdaptiveSystem) -> [String] {
        [s.name, s.strategyLabel, fixed(s.mean, 4), "\(s.maxN)", fixed(s.samplesPerItem, 2), fixed(s.roundsPerItem, 2),
         fixed(s.stoppedEarly, 3), tokens(s.tokensPerItem), optional(s.sequentialTokensPerItem, 1)]
    }

    /// One point of an adaptive rule's curve (`*`: averaged over random orders, not exact).
    static func adaptiveCells(_ p: Leaderboard.AdaptivePoint) -> [String] {
        [shortNumber(p.parameter), fixed(p.samplesPerItem, 2), fixed(p.roundsPerItem, 2), fixed(p.accuracy, 4) + (p.exact ? "" : "*"),
         fixed(p.majorityAtSameSamples, 4), tokens(p.tokensPerItem)]
    }
}

extension HTMLRenderer {
    /// A table row of escaped cells: the first `textColumns` as text, the rest as numbers.
    func row(_ cells: [String], textColumns: Int) -> String {
        "<tr>" + cells.enumerated().map { i, c in i < textColumns ? "<td>\(esc(c))</td>" : "<td class=\"num\">\(esc(c))</td>" }.joined() + "</tr>\n"
    }
}

extension JSONRenderer {
    static func value(_ a: Leaderboard.Adaptive) -> JSONValue {
        var top: [String: JSONValue] = [
            "systems": .array(a.systems.map { s in
                .object(["name": .string(s.name), "model": .string(s.model), "strategy": .string(s.strategyLabel), "mean": .double(s.mean),
                         "max_n": .integer(s.maxN), "samples_per_item": .double(s.samplesPerItem), "rounds_per_item": .double(s.roundsPerItem),
                         "stopped_early": .double(s.stoppedEarly), "tokens_per_item": .double(s.tokensPerItem),
                         "sequential_tokens_per_item": s.sequentialTokensPerItem.map(JSONValue.double) ?? .null])
            }),
            "curves": .array(a.curves.map(curveValue)),
        ]
        if !a.missingCurves.isEmpty { top["missing_curves"] = .array(a.missingCurves.map(JSONValue.string)) }
        return .object(top)
    }

    static func curveValue(_ c: Leaderboard.AdaptiveCurve) -> JSONValue {
        var curve: [String: JSONValue] = [
            "model": .string(c.model), "rule": .string(c.rule), "parameter": .string(c.parameterName), "max_n": .integer(c.maxN),
            "pool": .string(c.pool), "pools": .integer(c.pools), "majority_at_k": .array(c.majority.map(JSONValue.double)),
            "points": .array(c.points.map { p in
                .object(["parameter": .double(p.parameter), "value": .double(p.accuracy), "samples_per_item": .double(p.samplesPerItem),
                         "rounds_per_item": .double(p.roundsPerItem), "tokens_per_item": .double(p.tokensPerItem),
                         "majority_at_same_samples": .double(p.majorityAtSameSamples), "exact": .bool(p.exact)])
            }),
        ]
        if let orders = c.ordersPerPool {
            curve["orders_per_pool"] = .integer(orders)
            curve["weighting"] = .string(c.weighting ?? "")
        }
        return .object(curve)
    }
}

extension HTMLRenderer {
    func adaptiveTable(_ board: Leaderboard) -> String {
        let a = board.adaptive
        guard !a.isEmpty else { return "" }
        var out = "<h2>Adaptive stopping</h2>\n<p class=\"meta\">Systems that read their pool's samples 0, 1, 2, … and stop when a rule fires: "
        out += "the samples and rounds (a round's samples run in parallel) they read per item.</p>\n"
        if !a.systems.isEmpty {
            out += "<table id=\"adaptive\">\n<thead><tr><th>System</th><th>Strategy</th><th>\(esc(board.metric.capitalized))</th><th>Max N</th>"
            out += "<th>Samples/item</th><th>Rounds/item</th><th>Stopped early</th><th>Tokens/item</th><th>Sequential tokens/item</th></tr></thead>\n<tbody>\n"
            for s in a.systems { out += row(LeaderboardText.adaptiveCells(s), textColumns: 2) }
            out += "</tbody>\n</table>\n"
        }
        for c in a.curves {
            out += "<h3>\(esc(c.model)): \(esc(c.rule)) at max N = \(c.maxN), over the pools of \(esc(c.pool)) (\(c.pools) item-seeds)</h3>\n"
            out += "<p class=\"meta\">\(esc(LeaderboardText.adaptiveCurveMethod(c)))</p>\n"
            out += "<table>\n<thead><tr><th>\(esc(c.parameterName.capitalized))</th><th>Samples/item</th><th>Rounds/item</th>"
            out += "<th>\(esc(board.metric.capitalized))</th><th>maj@k at the same samples</th><th>Tokens/item</th></tr></thead>\n<tbody>\n"
            for p in c.points { out += row(LeaderboardText.adaptiveCells(p), textColumns: 0) }
            out += "</tbody>\n</table>\n"
        }
        if !a.missingCurves.isEmpty {
            out += "<p class=\"meta\">No curve:</p>\n<ul>\n" + a.missingCurves.map { "<li>\(esc($0))</li>\n" }.joined() + "</ul>\n"
        }
        return out
    }
}
