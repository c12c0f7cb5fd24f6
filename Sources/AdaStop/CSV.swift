// CSV front end of `ttsbench adastop`: the layout the reference `adastop` command-line tool
// reads (a header row of agent names, one column per agent, one row per run), with all rows so
// far in one file, so that it can be used interim by interim as rows are appended.
//
// Layout details:
// - Cells are separated by commas; spaces and tabs around a cell are trimmed; a cell may be
//   double-quoted ("" inside quotes is a quote). CRLF line ends, a UTF-8 byte-order mark and
//   trailing blank lines are accepted.
// - If the first header cell is empty, the first column is a row index (what pandas'
//   `DataFrame.to_csv` writes and the reference reads with `index_col=0`) and is ignored.
// - Agent `j`'s scores are its column, top to bottom, in production order. A column may end
//   early (empty cells down to the last row): an agent that has left the test needs no more
//   scores. An empty cell followed by a number in the same column is an error.
// - At most K·n rows. Interim k runs when every agent still in an undecided comparison has at
//   least (k+1)·n scores; an agent's scores beyond what the test used are ignored.
//
// How this relates to the reference CLI (`adastop compare`): there, each call reads a CSV that
// holds exactly the n NEW rows of one interim (it asserts `len(df) == size_group`), takes the
// columns of the agents still active, appends them to the arrays pickled in
// `.adastop_comparator.pkl` beside the file, runs one interim and pickles the state again; a call
// beyond K groups is refused. Here the file holds all rows so far and the state is recomputed
// from scratch on every call: the test is deterministic (same seed, same draws), so rerunning
// the interims already run gives the same results, and the file runs exactly the interims its
// complete groups allow. Rows of an incomplete last group wait for the rest of the group; the
// comparisons not decided yet are reported "undecided" (decision nil), and the report says which
// agents need scores next.

/// A parsed scores file.
public struct AdaStopCSV: Sendable, Equatable {
    /// Agent names, in column order.
    public var agents: [String]
    /// Scores per agent (column), in row order; a column that ended early is shorter.
    public var scores: [[Double]]
    /// Number of data rows (lines after the header).
    public var rowCount: Int
    /// Whether the first column was a row index (empty first header cell) and was skipped.
    public var hasIndexColumn: Bool

    public init(agents: [String], scores: [[Double]], rowCount: Int, hasIndexColumn: Bool = false) {
        self.agents = agents
        self.scores = scores
        self.rowCount = rowCount
        self.hasIndexColumn = hasIndexColumn
    }

    /// Parses and validates the file's structure (not yet its length against K·n).
    public init(text: String) throws {
        var lines = splitLines(text)
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) {
            lines.removeLast()
        }
        guard let headerLine = lines.first else { throw AdaStopError.csvEmptyFile }
        let header = try splitCells(headerLine, row: 1)
        let indexColumn = header.count > 1 && header[0].isEmpty
        let offset = indexColumn ? 1 : 0
        let names = Array(header[offset...])
        var firstColumn: [String: Int] = [:]
        for (j, name) in names.enumerated() {
            let column = j + offset + 1
            if name.isEmpty { throw AdaStopError.csvEmptyAgentName(row: 1, column: column) }
            if let first = firstColumn[name] {
                throw AdaStopError.csvDuplicateAgent(name: name, row: 1, column: column, firstColumn: first)
            }
            firstColumn[name] = column
        }
        guard names.count >= 2 else { throw AdaStopError.csvTooFewAgents(count: names.count) }

        var columns = Array(repeating: [Double](), count: names.count)
        // Line of the first empty cell of a column that has ended, if any.
        var endedAt = Array(repeating: Int?.none, count: names.count)
        for (i, line) in lines.dropFirst().enumerated() {
            let row = i + 2
            let cells = try splitCells(line, row: row)
            if cells.count != header.count {
                let column = min(cells.count, header.count) + 1
                let j = column - 1 - offset
                let agent = (j >= 0 && j < names.count) ? names[j] : nil
                throw AdaStopError.csvRaggedRow(row: row, column: column, agent: agent,
                                                expectedCells: header.count, foundCells: cells.count)
            }
            for j in 0..<names.count {
                let cell = cells[j + offset]
                let column = j + offset + 1
                if cell.isEmpty {
                    if endedAt[j] == nil { endedAt[j] = row }
                    continue
                }
                if let ended = endedAt[j] {
                    throw AdaStopError.csvMissingValue(row: ended, column: column, agent: names[j])
                }
                guard let value = parseNumber(cell) else {
                    throw AdaStopError.csvNonNumeric(row: row, column: column, agent: names[j], text: cell)
                }
                guard value.isFinite else {
                    throw AdaStopError.csvNonFinite(row: row, column: column, agent: names[j], text: cell)
                }
                columns[j].append(value)
            }
        }
        self.agents = names
        self.scores = columns
        self.rowCount = lines.count - 1
        self.hasIndexColumn = indexColumn
    }

    /// All pairs (i < j), or every agent against the first.
    public func comparisons(compareToFirst: Bool) -> [Comparison] {
        compareToFirst ? Comparison.toFirst(agentCount: agents.count) : Comparison.allPairs(agentCount: agents.count)
    }

    /// Runs the test on the file: every interim the rows allow. `parallelism`: threads for the
    /// permutation work (default: the online processors, at most 8); results do not depend on it.
    public func run(config: AdaStopConfig, compareToFirst: Bool = false, parallelism: Int? = nil) throws -> AdaStopReport {
        try run(config: config, comparisons: comparisons(compareToFirst: compareToFirst), parallelism: parallelism)
    }

    /// Runs the test on the file with an explicit comparison list.
    public func run(config: AdaStopConfig, comparisons: [Comparison], parallelism: Int? = nil) throws -> AdaStopReport {
        try config.validate()
        let limit = config.interims * config.groupSize
        if rowCount > limit {
            throw AdaStopError.csvTooManyRows(row: limit + 2, rows: rowCount, limit: limit)
        }
        var test = try AdaStopTest(agentCount: agents.count, comparisons: comparisons, config: config)
        if let p = parallelism { test.parallelism = max(1, p) }
        try test.runAvailable(scores: scores)
        return AdaStopReport(agents: agents, test: test, scoresAvailable: scores.map(\.count))
    }

    /// Parses `text` and runs the test: the whole `ttsbench adastop` computation.
    public static func evaluate(text: String, config: AdaStopConfig, compareToFirst: Bool = false) throws -> AdaStopReport {
        try AdaStopCSV(text: text).run(config: config, compareToFirst: compareToFirst)
    }
}

/// Outcome of the test on a scores file, with its JSON and text renderings.
public struct AdaStopReport: Sendable {
    public var agents: [String]
    public var config: AdaStopConfig
    public var comparisons: [Comparison]
    public var results: [ComparisonResult]
    public var scoresUsed: [Int]
    public var interims: [InterimRecord]
    public var isFinished: Bool
    /// Scores present in the file per agent.
    public var scoresAvailable: [Int]
    /// Agents that need more scores for the next interim (empty once finished).
    public var agentsNeedingScores: [Int]
    /// Total scores each agent needs for the next interim (what it has used if it is frozen).
    public var scoresNeeded: [Int]
    /// The procedure that decided (the scheme that ran) and its guarantee.
    public var procedure: Procedure

    public init(agents: [String], test: AdaStopTest, scoresAvailable: [Int]) {
        self.agents = agents
        self.config = test.config
        self.comparisons = test.comparisons
        self.results = test.results
        self.scoresUsed = test.scoresUsed
        self.interims = test.interims
        self.isFinished = test.isFinished
        self.scoresAvailable = scoresAvailable
        self.agentsNeedingScores = test.agentsNeedingScores
        self.scoresNeeded = (0..<agents.count).map { test.scoresNeeded(agent: $0) }
        self.procedure = Procedure(scheme: test.effectiveScheme, rule: test.config.rule, comparisons: test.comparisons.count)
    }

    /// `{"decisions": [{"a": NAME, "b": NAME, "decision": "larger"|"smaller"|"equal", "interim": k}],
    ///   "guarantee": TEXT, "interims": k_run, "procedure": KEY, "scores_used": {NAME: count}}` —
    /// keys sorted ("procedure": the scheme that ran: closed, holm, pairwise, joint or
    /// adastop-0.1.3), comparisons in comparison order, agents in column order; `interim` is
    /// 1-based, as in the text. A comparison the data did not allow to decide yet has
    /// `"decision": "undecided", "interim": null`.
    public func json() -> String {
        var out = "{\"decisions\": ["
        for (i, r) in results.enumerated() {
            if i > 0 { out += ", " }
            out += "{\"a\": " + jsonString(agents[r.comparison.a])
            out += ", \"b\": " + jsonString(agents[r.comparison.b])
            out += ", \"decision\": " + jsonString(r.decision?.rawValue ?? "undecided")
            out += ", \"interim\": " + (r.interim.map { String($0 + 1) } ?? "null") + "}"
        }
        out += "], \"guarantee\": " + jsonString(procedure.guarantee) + ", \"interims\": " + String(interims.count)
        out += ", \"procedure\": " + jsonString(procedure.key) + ", \"scores_used\": {"
        for (i, name) in agents.enumerated() {
            if i > 0 { out += ", " }
            out += jsonString(name) + ": " + String(scoresUsed[i])
        }
        out += "}}"
        return out
    }

    /// Human-readable report.
    public func text() -> String {
        var lines: [String] = []
        let ruleText = config.rule == .absolute ? "absolute (paper)" : "adastop-0.1.3 (reference compatibility)"
        lines.append("AdaStop: \(agents.count) agents, \(comparisons.count) comparison\(comparisons.count == 1 ? "" : "s"); "
            + "K=\(config.interims), n=\(config.groupSize), B=\(config.permutations), alpha=\(formatNumber(config.alpha)), "
            + "seed=\(config.seed), boundary rule: \(ruleText)" + config.schemeDescription)
        let status: String
        if isFinished {
            status = "finished"
        } else {
            let need = agentsNeedingScores.map { "\(agents[$0]) (\(scoresNeeded[$0]) scores, has \(scoresAvailable[$0]))" }
            status = "not finished: interim \(interims.count + 1) needs " + need.joined(separator: ", ")
        }
        lines.append(procedure.sentence)
        lines.append("Interims run: \(interims.count) of \(config.interims), \(status)")
        for rec in interims {
            let b = rec.boundary.map { formatNumber($0) } ?? "inf"
            let decided = rec.decided.isEmpty ? "none" : rec.decided.map { "\(agents[$0.a]) vs \(agents[$0.b])" }.joined(separator: ", ")
            if procedure.scheme == .holm && procedure.rule == .absolute {
                // Holm: no shared boundary; each open pair's exact test runs at this level.
                lines.append("  interim \(rec.interim + 1): each open pair now tested at level \(formatNumber(rec.levelSpent)) "
                    + "(alpha / pairs not yet decided different), \(rec.active.count) active, exact pairwise distributions; decided: \(decided)")
                continue
            }
            lines.append("  interim \(rec.interim + 1): boundary \(b), level spent \(formatNumber(rec.levelSpent)), "
                + "\(rec.active.count) active, \(rec.exact ? "exact" : "random") permutations (\(rec.paths) paths); decided: \(decided)")
        }
        lines.append("Decisions (\"larger\": the first agent has the larger mean):")
        let labels = results.map { "\(agents[$0.comparison.a]) vs \(agents[$0.comparison.b])" }
        let width = labels.map(\.count).max() ?? 0
        for (r, label) in zip(results, labels) {
            let d = r.decision?.rawValue ?? "undecided"
            var line = "  " + label + String(repeating: " ", count: width - label.count + 2)
            line += d + String(repeating: " ", count: max(1, 11 - d.count))
            line += r.interim.map { "at interim \($0 + 1)" } ?? "          -  "
            if r.decision != nil || !interims.isEmpty {
                line += "   means \(formatNumber(r.meanA)) vs \(formatNumber(r.meanB))"
            }
            lines.append(line)
        }
        let used = agents.indices.map { "\(agents[$0]) \(scoresUsed[$0])" }.joined(separator: ", ")
        lines.append("Scores used: " + used)
        return lines.joined(separator: "\n") + "\n"
    }
}

// MARK: - Helpers

private func splitLines(_ text: String) -> [Substring] {
    var t = Substring(text)
    if t.first == "\u{FEFF}" { t = t.dropFirst() }
    // "\r\n" is a single Character in Swift, so split on both forms.
    return t.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
}

private func isBlank(_ c: Character) -> Bool { c == " " || c == "\t" }

/// Splits one line into trimmed cells, honouring double quotes.
private func splitCells(_ line: Substring, row: Int) throws -> [String] {
    var cells: [String] = []
    var current = ""
    var inQuotes = false
    var quoted = false
    var iterator = line.makeIterator()
    var pending: Character? = nil
    func finishCell() {
        if quoted {
            cells.append(current)
        } else {
            cells.append(String(current.drop(while: isBlank).reversed().drop(while: isBlank).reversed()))
        }
        current = ""
        quoted = false
    }
    while true {
        let next: Character?
        if let p = pending {
            next = p
            pending = nil
        } else {
            next = iterator.next()
        }
        guard let ch = next else { break }
        if inQuotes {
            if ch == "\"" {
                if let after = iterator.next() {
                    if after == "\"" {
                        current.append("\"")
                    } else {
                        inQuotes = false
                        pending = after
                    }
                } else {
                    inQuotes = false
                }
            } else {
                current.append(ch)
            }
        } else if ch == "," {
            finishCell()
        } else if ch == "\"" && !quoted && current.allSatisfy(isBlank) {
            current = ""
            inQuotes = true
            quoted = true
        } else if quoted && isBlank(ch) {
            continue  // blanks after a closing quote
        } else {
            if quoted {
                // Text after a closing quote: keep it, as an unquoted cell would.
                quoted = false
            }
            current.append(ch)
        }
    }
    if inQuotes { throw AdaStopError.csvUnterminatedQuote(row: row, column: cells.count + 1) }
    finishCell()
    return cells
}

private func parseNumber(_ s: String) -> Double? {
    // Swift's parser accepts decimal and hexadecimal floats, "nan" and "inf"/"infinity"
    // (rejected afterwards as non-finite); it refuses anything else, such as "1,5" or "NA".
    Double(s)
}

func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

/// About 6 significant digits, without Foundation.
func formatNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return "0" }
    let a = abs(x)
    guard a >= 1e-4 && a < 1e12 else { return "\(x)" }
    var magnitude = 0
    var t = a
    while t >= 10 { t /= 10; magnitude += 1 }
    while t < 1 { t *= 10; magnitude -= 1 }
    let decimals = max(0, 5 - magnitude)
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (a * scale).rounded()
    guard scaled < 9.0e15 else { return "\(x)" }
    let v = UInt64(scaled)
    let s = String(v)
    var intPart: String
    var frac: String
    if decimals == 0 {
        intPart = s
        frac = ""
    } else if s.count > decimals {
        intPart = String(s.dropLast(decimals))
        frac = String(s.suffix(decimals))
    } else {
        intPart = "0"
        frac = String(repeating: "0", count: decimals - s.count) + s
    }
    while frac.hasSuffix("0") { frac.removeLast() }
    let body = frac.isEmpty ? intPart : intPart + "." + frac
    return (x < 0 ? "-" : "") + body
}
