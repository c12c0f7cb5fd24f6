import TTSCore

extension LeaderboardText {
    /// Whether any system recorded thinking (reasoning models): only then is the section shown,
    /// so the leaderboards of models without thinking are unchanged.
    static func hasThinking(_ board: Leaderboard) -> Bool {
        board.rows.contains { ($0.thinkingTokensPerItem ?? 0) > 0 || ($0.unfinishedThinkingRate ?? 0) > 0 }
    }

    /// The Markdown "Thinking" section: per system its thinking tokens beside its tokens and
    /// sequential tokens, and how often a trace ended inside its thinking.
    static func thinkingSection(_ board: Leaderboard) -> String {
        guard hasThinking(board) else { return "" }
        var out = "\n## Thinking\n\n"
        out += "Reasoning models: the thinking is recorded apart from the answer, and answers are read from the answer only. "
        out += "Thinking tokens are part of the tokens per item. Unfinished thinking: the share of completions read that ended inside "
        out += "their thinking (cut off before the answer); they have no answer and count as incorrect (they are part of \"No answer\").\n\n"
        out += "| System | Tokens/item | Thinking tokens/item | Sequential tokens/item | Unfinished thinking | No answer |\n"
        out += "|---|---:|---:|---:|---:|---:|\n"
        for r in board.rows {
            out += "| \(r.name.replacingOccurrences(of: "|", with: "\\|")) | \(fixed(r.tokensPerItem, 1)) | \(optional(r.thinkingTokensPerItem, 1)) "
            out += "| \(optional(r.sequentialTokensPerItem, 1)) | \(noAnswer(r.unfinishedThinkingRate)) | \(noAnswer(r.noAnswerRate)) |\n"
        }
        return out
    }
}

extension HTMLRenderer {
    /// The HTML *Thinking* table (reasoning models), only when a system recorded thinking.
    func thinkingTable(_ board: Leaderboard) -> String {
        guard LeaderboardText.hasThinking(board) else { return "" }
        var out = "<h2>Thinking</h2>\n<p class=\"meta\">Thinking tokens are part of the tokens per item. Unfinished thinking: "
        out += "completions that ended inside their thinking; they have no answer and count as incorrect.</p>\n"
        out += "<table>\n<thead><tr><th>System</th><th>Tokens/item</th><th>Thinking tokens/item</th><th>Sequential tokens/item</th>"
        out += "<th>Unfinished thinking</th><th>No answer</th></tr></thead>\n<tbody>\n"
        for r in board.rows {
            out += "<tr><td>\(esc(r.name))</td><td class=\"num\">\(fixed(r.tokensPerItem, 1))</td>"
            out += "<td class=\"num\">\(esc(LeaderboardText.optional(r.thinkingTokensPerItem, 1)))</td>"
            out += "<td class=\"num\">\(esc(LeaderboardText.optional(r.sequentialTokensPerItem, 1)))</td>"
            out += "<td class=\"num\">\(esc(LeaderboardText.noAnswer(r.unfinishedThinkingRate)))</td>"
            out += "<td class=\"num\">\(esc(LeaderboardText.noAnswer(r.noAnswerRate)))</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }
}
