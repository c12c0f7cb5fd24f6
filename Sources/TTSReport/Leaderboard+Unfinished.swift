import TTSCore
import TTSStore

/// How a board says that some items are unfinished: failed requests are not scored, their
/// systems are not ranked, and running again retries them. Nothing is written for a complete
/// board, so its files keep the same bytes.
extension LeaderboardText {
    static let unfinishedIntro = "Requests that failed for good are not scored: the items below are in no number above, "
        + "a system with any of them is not ranked (rank —), and running the same command again retries them."

    /// The markdown section (empty for a complete board).
    static func unfinishedMarkdown(_ board: Leaderboard) -> String {
        guard !board.unfinished.isEmpty else { return "" }
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = "\n## Unfinished\n\n\(unfinishedIntro)\n\n"
        out += "| Model | Endpoint | Cause | Items | Systems | First message |\n|---|---|---|---:|---|---|\n"
        for g in board.unfinished {
            out += "| \(cell(g.model)) | \(cell(g.url)) | \(cell(g.cause)) | \(g.items) | \(cell(g.systems.joined(separator: ", "))) "
            out += "| \(cell(g.message)) |\n"
        }
        return out
    }
}

extension HTMLRenderer {
    /// The HTML section (empty for a complete board).
    func unfinishedTable(_ board: Leaderboard) -> String {
        guard !board.unfinished.isEmpty else { return "" }
        var out = "<h2>Unfinished</h2>\n<p class=\"meta\">\(esc(LeaderboardText.unfinishedIntro))</p>\n<table id=\"unfinished\">\n"
        out += "<thead><tr><th>Model</th><th>Endpoint</th><th>Cause</th><th>Items</th><th>Systems</th><th>First message</th></tr></thead>\n<tbody>\n"
        for g in board.unfinished {
            out += "<tr><td>\(esc(g.model))</td><td>\(esc(g.url))</td><td>\(esc(g.cause))</td><td class=\"num\">\(g.items)</td>"
            out += "<td>\(esc(g.systems.joined(separator: ", ")))</td><td>\(esc(g.message))</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }
}
