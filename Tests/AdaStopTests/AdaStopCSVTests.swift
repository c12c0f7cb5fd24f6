// The CSV front end of `ttsbench adastop`: parsing, errors naming row and column, JSON.

import Testing
@testable import AdaStop

@Suite("AdaStop CSV")
struct AdaStopCSVTests {
    func parseError(_ text: String) -> AdaStopError? {
        do {
            _ = try AdaStopCSV(text: text)
            return nil
        } catch let e as AdaStopError {
            return e
        } catch {
            return nil
        }
    }

    @Test("structural errors name the file line and column", arguments: [
        ("", AdaStopError.csvEmptyFile),
        ("\n\n  \n", .csvEmptyFile),
        ("A\n1\n", .csvTooFewAgents(count: 1)),
        (",A\n0,1\n", .csvTooFewAgents(count: 1)),
        ("A,,B\n", .csvEmptyAgentName(row: 1, column: 2)),
        ("A,B, A\n1,2,3\n", .csvDuplicateAgent(name: "A", row: 1, column: 3, firstColumn: 1)),
        ("A,B\n1,2\n3\n", .csvRaggedRow(row: 3, column: 2, agent: "B", expectedCells: 2, foundCells: 1)),
        ("A,B\n1,2\n\n3,4\n", .csvRaggedRow(row: 3, column: 2, agent: "B", expectedCells: 2, foundCells: 1)),
        ("A,B\n1,2,3\n", .csvRaggedRow(row: 2, column: 3, agent: nil, expectedCells: 2, foundCells: 3)),
        ("A,B,C\n1,2,3\n4,5,6\n7,x y,9\n", .csvNonNumeric(row: 4, column: 2, agent: "B", text: "x y")),
        ("A,B\n1,2\n1.5.2,3\n", .csvNonNumeric(row: 3, column: 1, agent: "A", text: "1.5.2")),
        ("A,B\n1,2\n3,NaN\n", .csvNonFinite(row: 3, column: 2, agent: "B", text: "NaN")),
        ("A,B\n-inf,2\n", .csvNonFinite(row: 2, column: 1, agent: "A", text: "-inf")),
        ("A,B\n1,1e999\n", .csvNonFinite(row: 2, column: 2, agent: "B", text: "1e999")),
        ("A,B\n1,\n2,3\n", .csvMissingValue(row: 2, column: 2, agent: "B")),
        (",A,B\n0,1,2\n1,3,oops\n", .csvNonNumeric(row: 3, column: 3, agent: "B", text: "oops")),
        ("A,B\n\"1,2\n", .csvUnterminatedQuote(row: 2, column: 1)),
    ])
    func structuralErrors(text: String, expected: AdaStopError) {
        let e = parseError(text)
        #expect(e == expected)
        #expect(e?.row == expected.row)
        #expect(e?.column == expected.column)
        #expect(e?.description.isEmpty == false)
        if let row = expected.row { #expect(e?.description.contains("row \(row)") == true) }
    }

    @Test("more rows than K·n is refused, naming the first row beyond the limit")
    func tooManyRows() throws {
        let csv = try AdaStopCSV(text: "A,B\n1,2\n3,4\n5,6\n")
        let config = AdaStopConfig(interims: 1, groupSize: 2, permutations: 100)
        #expect(throws: AdaStopError.csvTooManyRows(row: 4, rows: 3, limit: 2)) {
            _ = try csv.run(config: config)
        }
        #expect(AdaStopError.csvTooManyRows(row: 4, rows: 3, limit: 2).row == 4)
    }

    @Test("blanks, quotes, CRLF, a byte-order mark and trailing newlines are accepted")
    func lenientLayout() throws {
        let text = "\u{FEFF} \"sys A\" , B ,\"C\"\"q\"\r\n 1 , 2.5,3\r\n4,  5e-1 ,\"6\"\r\n\r\n\n"
        let csv = try AdaStopCSV(text: text)
        #expect(csv.agents == ["sys A", "B", "C\"q"])
        #expect(csv.scores == [[1, 4], [2.5, 0.5], [3, 6]])
        #expect(csv.rowCount == 2)
        #expect(!csv.hasIndexColumn)
        #expect(try AdaStopCSV(text: "A,B").rowCount == 0)
    }

    @Test("a column may end early; the agent then counts as frozen")
    func shortColumn() throws {
        // C is far above A and B: decided against both at interim 0, so C leaves and its column
        // may stop while A and B go on.
        var lines = ["A,B,C"]
        for i in 0..<6 {
            let c = i < 3 ? "\(100 + i)" : ""
            let b = [0.15, 0.05, 0.25, 0.35, 0.55, 0.45][i]  // interleaved with A: no clear difference
            lines.append("\(Double(i) * 0.1),\(b),\(c)")
        }
        let csv = try AdaStopCSV(text: lines.joined(separator: "\n") + "\n")
        #expect(csv.scores.map(\.count) == [6, 6, 3])
        let config = AdaStopConfig(interims: 2, groupSize: 3, permutations: 1_000, alpha: 0.5)
        let report = try csv.run(config: config)
        #expect(report.results[1].decision == .smaller && report.results[1].interim == 0)
        #expect(report.results[2].decision == .smaller && report.results[2].interim == 0)
        #expect(report.interims.count == 2)
        #expect(report.scoresUsed == [6, 6, 3])
        #expect(report.isFinished)
    }

    @Test("JSON output has the documented shape and a stable key order")
    func json() throws {
        let text = "A,B,C\n0,10,0.1\n1,11,1.1\n0.5,10.5,0.2\n"
        let config = AdaStopConfig(interims: 2, groupSize: 3, permutations: 10_000, alpha: 0.2)
        let csv = try AdaStopCSV(text: text)
        let report = try csv.run(config: config)
        // Interim 0 ran (3 rows = one group); A vs B and B vs C are clear; A vs C needs more rows.
        #expect(report.interims.count == 1)
        #expect(!report.isFinished)
        #expect(report.agentsNeedingScores == [0, 2])
        #expect(report.scoresNeeded == [6, 3, 6])
        // Keys sorted; interims 1-based, as in the text and every other output.
        let expected = "{\"decisions\": [{\"a\": \"A\", \"b\": \"B\", \"decision\": \"smaller\", \"interim\": 1}, "
            + "{\"a\": \"A\", \"b\": \"C\", \"decision\": \"undecided\", \"interim\": null}, "
            + "{\"a\": \"B\", \"b\": \"C\", \"decision\": \"larger\", \"interim\": 1}], "
            + "\"guarantee\": \"\(Procedure(scheme: .pairwise, rule: .absolute, comparisons: 3).guarantee)\", \"interims\": 1, "
            + "\"procedure\": \"pairwise\", \"scores_used\": {\"A\": 3, \"B\": 3, \"C\": 3}}"
        #expect(report.json() == expected)
        let textReport = report.text()
        #expect(textReport.contains("not finished: interim 2 needs"))
        #expect(textReport.contains("  interim 1: boundary") && !textReport.contains("interim 0"))
        #expect(textReport.contains("A vs C"))
        // Compare-to-first: only (0, j).
        let first = try csv.run(config: config, compareToFirst: true)
        #expect(first.comparisons == [Comparison(0, 1), Comparison(0, 2)])
        #expect(jsonString("a\"b\\c\n\u{1}") == "\"a\\\"b\\\\c\\n\\u0001\"")
    }

    @Test("number formatting of the text report")
    func formatting() {
        #expect(formatNumber(0) == "0")
        #expect(formatNumber(1.5) == "1.5")
        #expect(formatNumber(-0.0123456789) == "-0.0123457")
        #expect(formatNumber(123456.7) == "123457")
        #expect(formatNumber(.infinity) == "inf")
    }
}
