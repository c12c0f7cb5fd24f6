import TTSDesign
import TTSCore
import TTSStore
import AdaStop
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a leaderboard into a file's text. Pure and byte-stable.
public protocol LeaderboardRenderer: Sendable {
    var fileName: String { get }
    func render(_ board: Leaderboard) -> String
}

/// A signed fixed-point number ("+0.0120", "-0.0040").
func signed(_ x: Double, _ digits: Int) -> String {
    let s = fixed(x, digits)
    return s.hasPrefix("-") ? s : "+" + s
}

/// Shared wording of the renderers.
enum LeaderboardText {
    static func verdict(_ decision: String, reason: String? = nil) -> String {
        switch decision {
        case "larger": "A better"
        case "smaller": "B better"
        case "undecided": "undecided (\(reason ?? "open"))"
        default: "no difference detected"
        }
    }

    /// The verdict of a decision row, saying for "no difference" whether it was an early accept
    /// (before the last interim) or the seeds ran out (at the last).
    static func verdict(_ d: Leaderboard.DecisionRow, maxInterims: Int?) -> String {
        let plain = verdict(d.decision, reason: d.reason)
        guard d.decision == "equal", let maxInterims, d.interim >= 0 else { return plain }
        return plain + (d.interim + 1 < maxInterims ? " (early accept)" : " (seeds ran out)")
    }

    /// "6" (1-based), or "—" for an undecided comparison that no interim evaluated.
    static func interim(_ d: Leaderboard.DecisionRow) -> String { d.interim < 0 ? "—" : "\(d.interim + 1)" }

    /// A sentence on the comparisons left open, or "" when there are none.
    static func undecidedNote(_ board: Leaderboard) -> String {
        let open = board.decisions.filter(\.isUndecided)
        guard !open.isEmpty else { return "" }
        let reasons = Set(open.compactMap(\.reason)).sorted().joined(separator: ", ")
        return "\(open.count) comparison\(open.count == 1 ? " was" : "s were") left undecided (\(reasons)): the run stopped before the "
            + "test decided them; they make no rank claim. Run again with a larger budget to continue the test."
    }

    /// A sentence naming the systems outside every comparison, or "" when there are none.
    static func uncomparedNote(_ board: Leaderboard) -> String {
        guard !board.decisions.isEmpty else { return "" }
        let compared = Set(board.decisions.flatMap { [$0.a, $0.b] })
        let outside = board.rows.map(\.name).filter { !compared.contains($0) }
        guard !outside.isEmpty else { return "" }
        return "Outside every comparison (one interim, ranked by the mean without decisions): \(outside.joined(separator: ", "))."
    }

    /// Above this many systems, the Markdown shows a decision matrix instead of the list.
    static let matrixThreshold = 6

    static func settingsLine(_ s: Leaderboard.Settings) -> String {
        let scheme = s.procedure?.name ?? (s.permutation == "closed" ? "closed testing" : "\(s.permutation) permutation")
        return "AdaStop: alpha \(shortNumber(s.alpha)) (family-wise), \(s.groupSize) seeds per interim, at most \(s.maxInterims) interims "
            + "(\(s.groupSize * s.maxInterims) seeds), \(s.permutations) permutations, rule \(s.rule), pool \(s.pool), \(scheme)"
            + (s.futility.map { $0 == "off" ? ", no early accept." : ", early accept below \($0)." } ?? ".")
            + (s.procedure.map { " " + guaranteeSentence($0, pool: s.pool) } ?? "")
    }

    /// "Guarantee: family-wise error at most alpha whatever the true differences (strong
    /// control)." with the pool's caveat; the measured error where there is no guarantee.
    static func guaranteeSentence(_ p: Procedure, pool: String) -> String {
        "Guarantee: \(p.guarantee)"
            + (p.strong && pool == "shared"
                ? " for independent samples; this suite's pool is shared (systems of one model read the same samples), "
                    + "so it holds only approximately."
                : ".")
    }

    /// "12", or "1 (deterministic, read 12 times)" for a system whose one generated seed serves
    /// every seed index.
    static func seeds(_ r: Leaderboard.Row) -> String {
        r.deterministic ? "1 (deterministic, read \(r.seeds) times)" : "\(r.seeds)"
    }

    /// The interval sentence of the headers.
    static let intervals = "mean over seeds with a 95% two-way bootstrap interval over items and seeds (another draw of items and of seeds)"
    static let deltaIntervals = "Δ vs top: paired difference with the first system over the same items, 95% two-way bootstrap over items and seeds."

    /// "0.0123", or "—" when there is no item test.
    static func itemP(_ t: PairedItemTest.Result?) -> String { t.map { fixed($0.pValue, 4) } ?? "—" }

    /// Whether the item test at `alpha` tells another story than the AdaStop verdict.
    static func disagrees(_ d: Leaderboard.DecisionRow, alpha: Double) -> Bool {
        guard let t = d.itemTest, !d.isUndecided else { return false }
        return d.separates != (t.pValue < alpha)
    }

    static let itemTestNote = "Item test: a paired permutation test over items (sign flips of each item's difference, its correctness averaged over seeds). "
        + "AdaStop answers \"is the difference more than sampling noise on these items?\"; the item test answers \"would it survive another draw of items?\"."

    static func cost(_ x: Double?) -> String { x.map { "$" + String(format: "%.6f", $0) } ?? "—" }
    /// Whether the tables show the verifier's calls, tokens and cost per item: when some system's
    /// verifier or scorer called out (a judge's model, a reward or PRM endpoint). Other verifiers
    /// run in-process and cost nothing.
    static func showsVerifierCalls(_ board: Leaderboard) -> Bool { board.rows.contains { $0.verifierCallsPerItem > 0 } }
    static func optional(_ x: Double?, _ digits: Int) -> String { x.map { fixed($0, digits) } ?? "—" }
    /// Tokens per item, "—" when unknown (0: a replayed log without token counts).
    static func tokens(_ x: Double) -> String { x == 0 ? "—" : fixed(x, 1) }
    static func latency(_ x: Double?) -> String { x.map { fixed($0 / 1000, 2) + " s" } ?? "—" }
    /// A curve family as a reader knows it: maj@k, best-of-k, pass@k.
    static func curveName(_ family: String) -> String {
        switch family {
        case "majority": "maj@k"
        case "best_of_n": "best-of-k"
        case "pass": "pass@k (oracle)"
        default: family
        }
    }
    /// The no-answer rate as a percentage ("—" when not recorded).
    static func noAnswer(_ x: Double?) -> String { x.map { fixed($0 * 100, 1) + "%" } ?? "—" }

    static func paired(_ p: Leaderboard.PairedDifference?) -> String {
        guard let p else { return "—" }
        return "\(signed(p.difference, 4)) [\(signed(p.ciLow, 4)), \(signed(p.ciHigh, 4))]"
    }

    /// The decision between two systems, from the first one's side: ">" better, "<" worse,
    /// "=" no difference detected, "?" undecided (budget), nil when not compared.
    static func relation(_ board: Leaderboard) -> (String, String) -> (symbol: String, interim: Int)? {
        var table: [String: (String, Int)] = [:]
        for d in board.decisions {
            let (ab, ba) = d.decision == "larger" ? (">", "<") : d.decision == "smaller" ? ("<", ">")
                : d.isUndecided ? ("?", "?") : ("=", "=")
            table[d.a + "\u{0}" + d.b] = (ab, d.interim)
            table[d.b + "\u{0}" + d.a] = (ba, d.interim)
        }
        return { a, b in table[a + "\u{0}" + b].map { (symbol: $0.0, interim: $0.1) } }
    }

    /// Twins beside their base: (base row, [twin rows]) in the base's rank order.
    static func variantGroups(_ board: Leaderboard) -> [(base: Leaderboard.Row, twins: [Leaderboard.Row])] {
        var twins: [String: [Leaderboard.Row]] = [:]
        for r in board.rows { if let base = r.variantOf { twins[base, default: []].append(r) } }
        return board.rows.compactMap { r in
            guard r.variantOf == nil, let t = twins[r.name] else { return nil }
            return (r, t.sorted { ($0.variant ?? "") < ($1.variant ?? "") })
        }
    }
}

/// GitHub-flavoured Markdown with pipe tables.
public struct MarkdownRenderer: LeaderboardRenderer {
    public init() {}
    public var fileName: String { "leaderboard.md" }

    public func render(_ board: Leaderboard) -> String {
        var out = "# Leaderboard: \(board.suite)\n\n"
        if let summary = board.summary { out += "**\(summary)**\n\n" }
        let anySimulated = board.rows.contains(where: \.simulated)
        out += "Metric: **\(board.metric)**, \(LeaderboardText.intervals)."
        if !board.decisions.isEmpty { out += " Systems the AdaStop test could not separate share a rank (\"2=\")." }
        out += "\n"
        if board.metric == "accuracy" && board.rows.count > 1 {
            out += LeaderboardText.deltaIntervals + "\n"
        }
        if let s = board.settings, !board.decisions.isEmpty { out += LeaderboardText.settingsLine(s) + "\n" }
        if anySimulated { out += "Models marked *(sim)* are the built-in **simulated** backend, not real LLMs.\n" }
        for note in [LeaderboardText.undecidedNote(board), LeaderboardText.uncomparedNote(board)] where !note.isEmpty { out += note + "\n" }
        let verifierCalls = LeaderboardText.showsVerifierCalls(board)
        out += "\n| Rank | System | Model | Strategy | Verifier | \(board.metric.capitalized) | 95% CI | Δ vs top [95% CI] | Seeds | Tokens/item | Sequential tokens/item | Calls/item | Latency/item | Cost/item | "
            + (verifierCalls ? "Verifier calls/item | Verifier tokens/item | Verifier cost/item | " : "") + "Failures | No answer |\n"
        out += "|---:|---|---|---|---|---:|---|---|---:|---:|---:|---:|---:|---:|" + (verifierCalls ? "---:|---:|---:|" : "") + "---:|---:|\n"
        for r in board.rows {
            let model = r.simulated ? "\(cell(r.model)) *(sim)*" : cell(r.model)
            out += "| \(r.rank) | \(cell(r.name)) | \(model) | \(cell(r.strategyLabel)) | \(cell(r.verifier)) | \(fixed(r.mean, 4)) "
            out += "| [\(fixed(r.ciLow, 4)), \(fixed(r.ciHigh, 4))] | \(LeaderboardText.paired(r.vsTop)) | \(LeaderboardText.seeds(r)) "
            out += "| \(LeaderboardText.tokens(r.tokensPerItem)) | \(LeaderboardText.optional(r.sequentialTokensPerItem, 1)) "
            out += "| \(fixed(r.callsPerItem, 2)) | \(LeaderboardText.latency(r.latencyMsPerItem)) "
            out += "| \(LeaderboardText.cost(r.costPerItem)) "
            if verifierCalls {
                out += "| \(fixed(r.verifierCallsPerItem, 2)) | \(LeaderboardText.tokens(r.verifierTokensPerItem)) | \(LeaderboardText.cost(r.verifierCostPerItem)) "
            }
            out += "| \(r.failures) | \(LeaderboardText.noAnswer(r.noAnswerRate)) |\n"
        }
        out += LeaderboardText.unfinishedMarkdown(board)
        out += "\nSequential tokens: the generated tokens on the critical path (parallel calls count once, the longest; calls that wait for others add up), what sets latency.\n"
        out += "No answer: the share of completions a system read from which the task's extraction read no answer (they count as incorrect).\n"
        out += LeaderboardText.thinkingSection(board)
        if !board.curves.isEmpty {
            out += "\n## Scaling curves\n\nAccuracy with k samples per item: `estimator` curves are exact maj@k, best-of-k and pass@k "
            out += "(an oracle upper bound) over each recorded pool; `systems` curves are the leaderboard's own systems.\n\n"
            let ks = Array(Set(board.curves.flatMap { $0.points.map(\.n) })).sorted()
            out += "| Model | Curve | Source | " + ks.map { "k=\($0)" }.joined(separator: " | ") + " |\n"
            out += "|---|---|---|" + String(repeating: "---:|", count: ks.count) + "\n"
            for c in board.curves {
                let values = ks.map { k in c.points.first { $0.n == k }.map { fixed($0.value, 4) } ?? "" }
                out += "| \(cell(c.model)) | \(LeaderboardText.curveName(c.family)) | \(c.source) | " + values.joined(separator: " | ") + " |\n"
            }
        }
        out += LeaderboardText.adaptiveMarkdown(board)
        let groups = LeaderboardText.variantGroups(board)
        let relation = LeaderboardText.relation(board)
        if !groups.isEmpty {
            out += "\n## Variants\n\nEach twin beside its base: the same budget N, spread over temperatures (multi_temperature) or fused by one more call (fusion). "
            out += "Δ is the twin minus its base, paired by item.\n\n"
            out += "| Base | Rank | \(board.metric.capitalized) | Twin | Variant | Rank | \(board.metric.capitalized) | Δ [95% CI] | Tokens/item | AdaStop |\n"
            out += "|---|---:|---:|---|---|---:|---:|---|---:|---|\n"
            for (base, twins) in groups {
                for t in twins {
                    let decided = relation(t.name, base.name).map { rel in
                        rel.symbol == ">" ? "twin better" : rel.symbol == "<" ? "base better"
                            : rel.symbol == "?" ? "undecided (budget)" : "no difference detected"
                    } ?? "not compared"
                    out += "| \(cell(base.name)) | \(base.rank) | \(fixed(base.mean, 4)) | \(cell(t.name)) | \(t.variant ?? "") | \(t.rank) "
                    out += "| \(fixed(t.mean, 4)) | \(LeaderboardText.paired(t.vsBase)) | \(fixed(t.tokensPerItem, 1)) | \(decided) |\n"
                }
            }
        }
        if !board.decisions.isEmpty {
            if board.rows.count > LeaderboardText.matrixThreshold {
                out += "\n## Decisions (AdaStop)\n\n"
                out += "Row versus column: `>` row better, `<` row worse, `=` no difference detected, `·` not compared; "
                if board.decisions.contains(where: \.isUndecided) { out += "`?` undecided (budget), after the interim shown; " }
                out += "the digit is the interim of the decision.\n\n"
                out += "| # | System | " + board.rows.indices.map { "\($0 + 1)" }.joined(separator: " | ") + " |\n"
                out += "|---:|---|" + String(repeating: ":-:|", count: board.rows.count) + "\n"
                for (i, r) in board.rows.enumerated() {
                    let cells = board.rows.enumerated().map { j, c -> String in
                        if i == j { return "" }
                        guard let rel = relation(r.name, c.name) else { return "·" }
                        return rel.interim < 0 ? rel.symbol : "\(rel.symbol)\(rel.interim + 1)"
                    }
                    out += "| \(i + 1) | \(cell(r.name)) | " + cells.joined(separator: " | ") + " |\n"
                }
                let alpha = board.settings?.alpha ?? 0.05
                let differ = board.decisions.filter { LeaderboardText.disagrees($0, alpha: alpha) }
                out += "\n\(LeaderboardText.itemTestNote) It agrees with AdaStop at alpha \(shortNumber(alpha)) on "
                out += "\(board.decisions.count - differ.count) of \(board.decisions.count) verdicts (every p-value is in leaderboard.json)"
                if differ.isEmpty {
                    out += ".\n"
                } else {
                    out += "; where they differ:\n\n| A | B | Decision | Interim | Δ over items | Item test p |\n|---|---|---|---:|---:|---:|\n"
                    for d in differ { out += decisionRow(d, maxInterims: board.settings?.maxInterims) }
                }
            } else {
                out += "\n## Decisions (AdaStop)\n\n\(LeaderboardText.itemTestNote)\n\n"
                out += "| A | B | Decision | Interim | Δ over items | Item test p |\n|---|---|---|---:|---:|---:|\n"
                for d in board.decisions { out += decisionRow(d, maxInterims: board.settings?.maxInterims) }
            }
        }
        out += "\nSuite fingerprint: `\(board.fingerprint.prefix(16))`\n"
        return out
    }

    private func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }

    private func decisionRow(_ d: Leaderboard.DecisionRow, maxInterims: Int?) -> String {
        "| \(cell(d.a)) | \(cell(d.b)) | \(LeaderboardText.verdict(d, maxInterims: maxInterims)) | \(LeaderboardText.interim(d)) "
            + "| \(d.itemTest.map { signed($0.difference, 4) } ?? "—") | \(LeaderboardText.itemP(d.itemTest)) |\n"
    }
}

/// CSV per RFC 4180: a header, one record per system in rank order, CRLF line breaks, fields
/// quoted when they hold a comma, a double quote or a line break. Empty field = no value.
public struct CSVRenderer: LeaderboardRenderer {
    public init() {}
    public var fileName: String { "leaderboard.csv" }

    public static let header = ["rank", "name", "model", "strategy", "strategy_label", "verifier", "variant_of", "variant", "simulated",
                                "mean", "ci_low", "ci_high", "seeds", "diff_vs_top", "diff_vs_top_ci_low", "diff_vs_top_ci_high",
                                "tokens_per_item", "calls_per_item", "latency_ms_per_item", "cost_per_item", "failures", "no_answer_rate",
                                "sequential_tokens_per_item", "thinking_tokens_per_item", "unfinished_thinking_rate",
                                "verifier_calls_per_item", "verifier_tokens_per_item", "verifier_cost_per_item"]

    public func render(_ board: Leaderboard) -> String {
        let num = JSONRenderer.numbers.spell  // numbers as in leaderboard.json
        var lines = [Self.header.map(Self.field).joined(separator: ",")]
        for r in board.rows {
            let values: [String] = [
                r.rank, r.name, r.model, r.strategy, r.strategyLabel, r.verifier, r.variantOf ?? "", r.variant ?? "",
                r.simulated ? "true" : "false", num(r.mean), num(r.ciLow), num(r.ciHigh), String(r.seeds),
                r.vsTop.map { num($0.difference) } ?? "", r.vsTop.map { num($0.ciLow) } ?? "",
                r.vsTop.map { num($0.ciHigh) } ?? "", r.tokensPerItem == 0 ? "" : num(r.tokensPerItem), num(r.callsPerItem),
                r.latencyMsPerItem.map(num) ?? "", r.costPerItem.map(num) ?? "", String(r.failures),
                r.noAnswerRate.map(num) ?? "", r.sequentialTokensPerItem.map(num) ?? "",
                r.thinkingTokensPerItem.map(num) ?? "", r.unfinishedThinkingRate.map(num) ?? "",
                num(r.verifierCallsPerItem), num(r.verifierTokensPerItem), r.verifierCostPerItem.map(num) ?? "",
            ]
            lines.append(values.map(Self.field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The JSON schema of docs/leaderboard.md: keys sorted, numbers rounded to 6 decimals, in the
/// writer's document layout.
public struct JSONRenderer: LeaderboardRenderer {
    public init() {}
    public var fileName: String { "leaderboard.json" }

    /// How leaderboard.json and leaderboard.csv spell numbers.
    static let numbers = JSONWriter.Numbers.decimals(6)

    public func render(_ board: Leaderboard) -> String {
        var verbatim: [[String]: String] = [:]
        var top: [String: JSONValue] = [
            "curves": .array(board.curves.map(Self.value)),
            "decisions": .array(board.decisions.map(Self.value)),
            "fingerprint": .string(board.fingerprint),
            "metric": .string(board.metric),
            "suite": .string(board.suite),
            "systems": .array(board.rows.map(Self.value)),
        ]
        if let s = board.settings {
            top["adastop"] = Self.value(s)
            // The comparisons as stored: canonical JSON, compact inside the line.
            verbatim[["adastop", "comparisons"]] = s.comparisonsJSON
        }
        // Only on an incomplete board: a complete one has no "unfinished" key.
        if !board.unfinished.isEmpty { top["unfinished"] = .array(board.unfinished.map(Self.value)) }
        // Only on a board with adaptive systems.
        if !board.adaptive.isEmpty { top["adaptive"] = Self.value(board.adaptive) }
        return JSONWriter(layout: .document, numbers: Self.numbers).string(.object(top), verbatim: verbatim, order: Self.order)
    }

    /// The published order of the `adastop` keys, which predates sorting them.
    static let order: [[String]: [String]] = [
        ["adastop"]: ["alpha", "comparisons", "group_size", "futility", "max_interims", "guarantee", "permutation", "permutations",
                      "pool", "procedure", "procedure_name", "rule"],
    ]

    static func value(_ s: Leaderboard.Settings) -> JSONValue {
        var o: [String: JSONValue] = [
            "alpha": .double(s.alpha), "comparisons": .string(s.comparisonsJSON), "group_size": .integer(s.groupSize),
            "max_interims": .integer(s.maxInterims), "permutation": .string(s.permutation), "permutations": .integer(s.permutations),
            "pool": .string(s.pool), "rule": .string(s.rule),
        ]
        if let f = s.futility { o["futility"] = .string(f) }
        if let p = s.procedure {
            o["guarantee"] = .string(p.guarantee)
            o["procedure"] = .string(p.key)
            o["procedure_name"] = .string(p.name)
        }
        return .object(o)
    }

    static func value(_ c: Leaderboard.Curve) -> JSONValue {
        .object([
            "family": .string(c.family), "model": .string(c.model), "source": .string(c.source),
            "points": .array(c.points.map { p in
                .object(["n": .integer(p.n), "tokens_per_item": p.tokensPerItem.map(JSONValue.double) ?? .null, "value": .double(p.value)])
            }),
        ])
    }

    static func value(_ d: Leaderboard.DecisionRow) -> JSONValue {
        var o: [String: JSONValue] = [
            "a": .string(d.a), "b": .string(d.b), "decision": .string(d.decision),
            "interim": d.interim < 0 ? .null : .integer(d.interim + 1),
            "item_test": d.itemTest.map { t in
                .object(["difference": .double(t.difference), "items": .integer(t.items), "p_value": .double(t.pValue)])
            } ?? .null,
            "mean_a": .double(d.meanA), "mean_b": .double(d.meanB),
        ]
        if d.isUndecided { o["reason"] = .string(d.reason ?? "open") }
        return .object(o)
    }

    static func value(_ p: Leaderboard.PairedDifference?) -> JSONValue {
        guard let p else { return .null }
        return .object(["against": .string(p.against), "ci_high": .double(p.ciHigh), "ci_low": .double(p.ciLow),
                        "difference": .double(p.difference), "items": .integer(p.items)])
    }

    static func value(_ r: Leaderboard.Row) -> JSONValue {
        func opt(_ x: Double?) -> JSONValue { x.map(JSONValue.double) ?? .null }
        func str(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return .object([
            "calls_per_item": .double(r.callsPerItem), "ci_high": .double(r.ciHigh), "ci_low": .double(r.ciLow),
            "cost_per_item": opt(r.costPerItem), "deterministic": .bool(r.deterministic),
            "diff_vs_base": value(r.vsBase), "diff_vs_top": value(r.vsTop), "failures": .integer(r.failures),
            "latency_ms_per_item": opt(r.latencyMsPerItem), "mean": .double(r.mean), "model": .string(r.model),
            "model_label": .string(r.modelLabel), "name": .string(r.name), "no_answer_rate": opt(r.noAnswerRate),
            "rank": .string(r.rank), "seeds": .integer(r.seeds), "seeds_generated": .integer(r.deterministic ? 1 : r.seeds),
            "sequential_tokens_per_item": opt(r.sequentialTokensPerItem), "simulated": .bool(r.simulated),
            "strategy": .string(r.strategy), "strategy_label": .string(r.strategyLabel),
            "thinking_tokens_per_item": opt(r.thinkingTokensPerItem),
            // 0: a replayed log without token counts.
            "tokens_per_item": r.tokensPerItem == 0 ? .null : .double(r.tokensPerItem),
            "unfinished_thinking_rate": opt(r.unfinishedThinkingRate), "variant": str(r.variant), "variant_of": str(r.variantOf),
            "verifier": .string(r.verifier), "verifier_calls_per_item": .double(r.verifierCallsPerItem),
            "verifier_cost_per_item": opt(r.verifierCostPerItem), "verifier_tokens_per_item": .double(r.verifierTokensPerItem),
        ])
    }

    static func value(_ g: Leaderboard.UnfinishedGroup) -> JSONValue {
        .object([
            "cause": .string(g.cause), "items": .integer(g.items), "message": .string(g.message), "model": .string(g.model),
            "systems": .array(g.systems.map(JSONValue.string)), "url": .string(g.url),
        ])
    }
}
