import Foundation

/// Turns a leaderboard into a file's text. Pure and byte-stable.
public protocol LeaderboardRenderer: Sendable {
    var fileName: String { get }
    func render(_ board: Leaderboard) -> String
}

func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

/// GitHub-flavoured Markdown with a pipe table.
public struct MarkdownRenderer: LeaderboardRenderer {
    public init() {}
    public var fileName: String { "leaderboard.md" }

    public func render(_ board: Leaderboard) -> String {
        var out = "# Leaderboard: \(board.suite)\n\n"
        let anySimulated = board.rows.contains(where: \.simulated)
        out += "Metric: **\(board.metric)**, mean over seeds with a 95% bootstrap interval over seeds."
        if !board.decisions.isEmpty { out += " Systems the AdaStop test could not separate share a rank (\"2=\")." }
        out += "\n"
        if anySimulated { out += "Models marked *(sim)* are the built-in **simulated** backend, not real LLMs.\n" }
        out += "\n| Rank | System | Model | Strategy | Verifier | \(board.metric.capitalized) | 95% CI | Seeds | Tokens/item | Calls/item | Failures |\n"
        out += "|---:|---|---|---|---|---:|---|---:|---:|---:|---:|\n"
        for r in board.rows {
            let model = r.simulated ? "\(cell(r.model)) *(sim)*" : cell(r.model)
            out += "| \(r.rank) | \(cell(r.name)) | \(model) | \(cell(r.strategyLabel)) | \(cell(r.verifier)) | \(fixed(r.mean, 4)) "
            out += "| [\(fixed(r.ciLow, 4)), \(fixed(r.ciHigh, 4))] | \(r.seeds) | \(fixed(r.tokensPerItem, 1)) | \(fixed(r.callsPerItem, 2)) | \(r.failures) |\n"
        }
        if !board.decisions.isEmpty {
            out += "\n## Decisions (AdaStop)\n\n| A | B | Decision | Interim |\n|---|---|---|---:|\n"
            for d in board.decisions {
                let verdict = d.decision == "larger" ? "A better" : d.decision == "smaller" ? "B better" : "no difference detected"
                out += "| \(cell(d.a)) | \(cell(d.b)) | \(verdict) | \(d.interim + 1) |\n"
            }
        }
        out += "\nSuite fingerprint: `\(board.fingerprint.prefix(16))`\n"
        return out
    }

    private func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
}

/// The JSON schema of docs/leaderboard.md (keys sorted; numbers rounded to 6 decimals).
public struct JSONRenderer: LeaderboardRenderer {
    public init() {}
    public var fileName: String { "leaderboard.json" }

    public func render(_ board: Leaderboard) -> String {
        func num(_ x: Double) -> String {
            let r = (x * 1e6).rounded() / 1e6
            return r == r.rounded() && abs(r) < 1e15 ? String(Int(r)) : String(r)
        }
        var out = "{\n"
        out += "  \"decisions\": ["
        out += board.decisions.map {
            "\n    {\"a\": \(jsonString($0.a)), \"b\": \(jsonString($0.b)), \"decision\": \(jsonString($0.decision)), \"interim\": \($0.interim)}"
        }.joined(separator: ",")
        out += board.decisions.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"fingerprint\": \(jsonString(board.fingerprint)),\n"
        out += "  \"metric\": \(jsonString(board.metric)),\n"
        out += "  \"suite\": \(jsonString(board.suite)),\n"
        out += "  \"systems\": ["
        out += board.rows.map { r in
            "\n    {\"calls_per_item\": \(num(r.callsPerItem)), \"ci_high\": \(num(r.ciHigh)), \"ci_low\": \(num(r.ciLow)), "
                + "\"cost_per_item\": null, \"failures\": \(r.failures), \"mean\": \(num(r.mean)), \"model\": \(jsonString(r.model)), "
                + "\"name\": \(jsonString(r.name)), \"rank\": \(jsonString(r.rank)), \"seeds\": \(r.seeds), "
                + "\"simulated\": \(r.simulated), \"strategy\": \(jsonString(r.strategy)), \"strategy_label\": \(jsonString(r.strategyLabel)), "
                + "\"tokens_per_item\": \(num(r.tokensPerItem)), \"variant\": null, \"variant_of\": null, \"verifier\": \(jsonString(r.verifier))}"
        }.joined(separator: ",")
        out += board.rows.isEmpty ? "]\n" : "\n  ]\n"
        return out + "}\n"
    }
}

/// Writes files atomically (temporary file, then rename): never a partial leaderboard.
public enum AtomicWriter {
    public static func write(_ text: String, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw StoreError(message: "cannot write \(path): \((error as NSError).localizedDescription)")
        }
    }
}
