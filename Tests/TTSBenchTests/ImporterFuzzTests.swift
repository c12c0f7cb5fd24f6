@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing

/// Seeded mutation testing of the importers and the replay reader over the logs the real tools
/// wrote (tools/harness-logs/make_logs.sh): each mutant is a function of (seed, index), read
/// in-process. A crash or trap fails the whole test process; a hang runs into the time limit.
/// - `.eval` archives: half the mutants change bytes in place inside one entry's compressed data
///   (each entry in turn), half change the file anywhere (also deletions, insertions,
///   truncations). A mutant either fails with an error naming the file (and the entry, when the
///   mutation is inside one) or imports exactly what the original does: damaged data is never
///   imported.
/// - lm-eval JSONL, Inspect JSON logs and replay JSONL have no checksum, so a mutant may import
///   (a changed completion is still a completion); a failure must name the file.
/// The binary's exit status and messages on such files: ImporterFuzzCLITests (EndToEndTests).
@Suite(.serialized) struct ImporterFuzzTests {
    static let seed: UInt64 = 25
    static let needsLogs = ConditionTrait.enabled(if: HarnessLogs.present || requireInputs, Comment(rawValue: HarnessLogs.absence))

    /// What a batch of mutants did.
    struct Tally: CustomStringConvertible {
        var mutants = 0, imported = 0, identical = 0, refused = 0
        var slowestSeconds = 0.0
        var messages: [String: Int] = [:]
        var description: String {
            "\(mutants) mutants: \(refused) refused, \(imported) imported (\(identical) identical to the original); slowest \(String(format: "%.3f", slowestSeconds)) s"
        }
        /// The error's kind: its text after the file name, without numbers and quoted parts.
        mutating func note(_ message: String, shown: String) {
            var kind = String(message.dropFirst(shown.count))
            if let crc = kind.range(of: "CRC-32 0x") { kind = kind[..<crc.lowerBound] + "CRC-32 differs" }
            kind = String(kind.prefix(60).map { $0.isNumber ? "#" : $0 })
            messages[kind, default: 0] += 1
        }
    }

    /// Reads `count` mutants of `original` with `read`; `check` judges each outcome.
    static func fuzz(_ label: String, original: [UInt8], count: Int, ext: String, baseline: HarnessImportOutcome,
                     mutate: (inout Mutator, Int) -> (bytes: [UInt8], entry: String?),
                     read: (String, String) throws -> HarnessImportOutcome,
                     check: (Int, String?, Result<HarnessImportOutcome, any Error>, String) -> Void) throws -> Tally {
        let dir = try makeTempDir("fuzz-\(label)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var tally = Tally()
        for i in 0..<count {
            var m = Mutator(seed: seed, index: i)
            let (bytes, entry) = mutate(&m, i)
            let shown = "\(label)-\(i).\(ext)"
            let path = try writeFile(dir, shown, bytes: bytes)
            let start = ContinuousClock.now
            let result = Result(catching: { try read(path, shown) })
            let elapsed = ContinuousClock.now - start
            tally.slowestSeconds = max(tally.slowestSeconds, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            tally.mutants += 1
            switch result {
            case .success(let outcome):
                tally.imported += 1
                if outcome == baseline { tally.identical += 1 }
            case .failure(let error):
                tally.refused += 1
                let message = "\(error)"
                #expect(message.hasPrefix(shown + ":"), "mutant \(i): the error does not name the file: \(message.prefix(300))")
                tally.note(message, shown: shown)
            }
            check(i, entry, result, shown)
            try? FileManager.default.removeItem(atPath: path)
        }
        return tally
    }

    /// What an import gave, to compare with the original's.
    struct HarnessImportOutcome: Equatable {
        var items: [HarnessImport.Item]
        var completions: [HarnessImport.Completion]
        /// An import as `ttsbench import` makes it: the log read, then the suite's seed plan.
        init(_ run: HarnessImport) throws {
            _ = try run.seedPlan()
            items = run.items
            completions = run.completions
        }
        init(_ file: ReplayFile) {
            items = []
            completions = file.repeats.sorted { ($0.key.item, $0.key.temperature) < ($1.key.item, $1.key.temperature) }.flatMap { key, byIndex in
                byIndex.sorted { $0.key < $1.key }.map {
                    HarnessImport.Completion(itemID: key.item, temperature: key.temperature, sampleIndex: $0.key, text: $0.value.text,
                                             finishReason: nil, promptTokens: nil, completionTokens: nil, latencyMs: nil, sourceScore: nil)
                }
            }
        }
    }

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test(needsLogs, .timeLimit(.minutes(10))) func sixHundredMutatedEvalArchivesImportNothingDamaged() throws {
        let path = HarnessLogs.dir + "/inspect-log.eval"
        let original = try Self.bytes(path)
        let baseline = try HarnessImportOutcome(try InspectLog.read(path: path, shownAs: "inspect-log.eval"))
        let zip = try ZipArchive(original)
        // Where each entry's compressed bytes lie.
        let data: [(name: String, range: Range<Int>)] = zip.entries.map { e in
            let start = e.localHeader + 30 + ZipArchive.le(original, e.localHeader + 26, 2) + ZipArchive.le(original, e.localHeader + 28, 2)
            return (e.name, start..<(start + e.compressedSize))
        }
        #expect(data.count == 45 && data.allSatisfy { !$0.range.isEmpty })
        var inEntry = 0, inEntryRefusedByName = 0
        let tally = try Self.fuzz("eval", original: original, count: 600, ext: "eval", baseline: baseline, mutate: { m, i in
            guard i % 2 == 0 else { return (m.mutate(original), nil) }
            let target = data[(i / 2) % data.count]
            return (m.mutate(original, within: target.range, inPlace: true), target.name)
        }, read: { path, shown in
            try HarnessImportOutcome(try InspectLog.read(path: path, shownAs: shown))
        }, check: { i, entry, result, shown in
            switch result {
            case .success(let outcome):
                #expect(outcome == baseline, "mutant \(i) imported other data than the original log")
            case .failure(let error):
                if let entry {
                    inEntry += 1
                    let named = "\(error)".hasPrefix("\(shown): zip: \(entry): ")
                    if named { inEntryRefusedByName += 1 }
                    #expect(named, "mutant \(i): damage inside \(entry) reported as: \("\(error)".prefix(300))")
                }
            }
        })
        let byCRC = tally.messages.filter { $0.key.contains("CRC-## differs") }.values.reduce(0, +)
        let bySize = tally.messages.filter { $0.key.contains("bytes decompressed") }.values.reduce(0, +)
        print("eval archives: \(tally); damaged entries refused naming the entry: \(inEntryRefusedByName) of \(inEntry) (\(byCRC) by the CRC-32 alone, \(bySize) by the size alone); kinds: \(tally.messages.sorted { $0.value > $1.value }.prefix(12))")
        #expect(tally.mutants == 600)
        #expect(tally.identical == tally.imported)
        #expect(inEntry == 300, "every mutant inside a compressed entry is refused")
    }

    @Test(needsLogs, .timeLimit(.minutes(10))) func sixHundredMutatedLMEvalFilesFailNamingTheFile() throws {
        let path = try HarnessLogs.lmEvalSamples()
        let original = try Self.bytes(path)
        let baseline = try HarnessImportOutcome(try LMEvalLog.read(path: path, shownAs: "samples.jsonl"))
        let tally = try Self.fuzz("samples_tiny_add_2026", original: original, count: 600, ext: "jsonl", baseline: baseline, mutate: { m, _ in
            (m.mutate(original), nil)
        }, read: { path, shown in
            try HarnessImportOutcome(try LMEvalLog.read(path: path, shownAs: shown))
        }, check: { _, _, _, _ in })
        print("lm-eval samples: \(tally); kinds: \(tally.messages.sorted { $0.value > $1.value }.prefix(12))")
        #expect(tally.mutants == 600 && tally.refused > 0)
    }

    @Test(needsLogs, .timeLimit(.minutes(10))) func mutatedInspectJSONLogsFailNamingTheFile() throws {
        let path = HarnessLogs.dir + "/inspect-log.json"
        let original = try Self.bytes(path)
        let baseline = try HarnessImportOutcome(try InspectLog.read(path: path, shownAs: "inspect-log.json"))
        let tally = try Self.fuzz("inspect", original: original, count: 150, ext: "json", baseline: baseline, mutate: { m, _ in
            (m.mutate(original), nil)
        }, read: { path, shown in
            try HarnessImportOutcome(try InspectLog.read(path: path, shownAs: shown))
        }, check: { _, _, _, _ in })
        print("inspect JSON logs: \(tally); kinds: \(tally.messages.sorted { $0.value > $1.value }.prefix(12))")
        #expect(tally.mutants == 150 && tally.refused > 0)
    }

    /// The replay JSONL `ttsbench import` writes from the real Inspect log (texts, tokens,
    /// latencies, scores), mutated: read as a `kind: replay` model reads it.
    @Test(needsLogs, .timeLimit(.minutes(10))) func mutatedReplayFilesFailNamingTheFileAndLine() throws {
        let run = try InspectLog.read(path: HarnessLogs.dir + "/inspect-log.json", shownAs: "inspect-log.json")
        let original = Array(run.replayJSONL().utf8)
        let dir = try makeTempDir("fuzz-replay-original")
        let baseline = HarnessImportOutcome(try ReplayFile.read(path: try writeFile(dir, "r.jsonl", bytes: original), shownAs: "r.jsonl"))
        var lineErrors = 0
        let tally = try Self.fuzz("replay", original: original, count: 300, ext: "jsonl", baseline: baseline, mutate: { m, _ in
            (m.mutate(original), nil)
        }, read: { path, shown in
            HarnessImportOutcome(try ReplayFile.read(path: path, shownAs: shown))
        }, check: { _, _, result, shown in
            if case .failure(let error) = result, "\(error)".hasPrefix(shown + ":"), "\(error)".dropFirst(shown.count + 1).first?.isNumber == true {
                lineErrors += 1
            }
        })
        print("replay files: \(tally) (\(lineErrors) name the line); kinds: \(tally.messages.sorted { $0.value > $1.value }.prefix(12))")
        #expect(tally.mutants == 300 && tally.refused > 0)
    }
}
