@testable import TTSSuite
import Foundation
import Testing

/// Mutated real logs through the built binary (the in-process mutation test with more mutants is
/// Tests/TTSBenchTests/ImporterFuzzTests.swift): every run ends by itself under a 2 GiB
/// address-space limit, no signal; a refused log exits 2 with `ttsbench import: FILE: ...` (and
/// the entry, for damage inside an `.eval` entry) and writes nothing; an accepted one exits 0.
@Suite struct ImporterFuzzCLITests {
    static let needsLogs = ConditionTrait.enabled(if: HarnessLogs.present || requireInputs, Comment(rawValue: HarnessLogs.absence))

    static func check(_ harness: String, mutants: [(bytes: [UInt8], entry: String?)], ext: String) async throws -> (refused: Int, imported: Int) {
        let dir = try makeTempDir("fuzz-cli-\(harness)")
        var refused = 0, imported = 0
        for (i, mutant) in mutants.enumerated() {
            let name = "m\(i).\(ext)"
            try writeFile(dir, name, bytes: mutant.bytes)
            // `ulimit -v` in KiB: 2 GiB of address space.
            let result = try await runBinary(["-c", "ulimit -v 2097152; exec \"$0\" \"$@\"", Binary.path, "import", harness, name, "--out", "out-\(i)"],
                                             in: dir, executable: "/bin/bash")
            #expect(!result.signalled && (result.status == 0 || result.status == 2), "\(name): exit \(result.status): \(result.stderr.suffix(400))")
            if result.status == 2 {
                refused += 1
                #expect(result.stderr.hasPrefix("ttsbench import: \(name): "), "\(name): \(result.stderr.prefix(300))")
                if let entry = mutant.entry { #expect(result.stderr.contains("zip: \(entry): "), "\(name): \(result.stderr.prefix(300))") }
                #expect(!FileManager.default.fileExists(atPath: dir + "/out-\(i)"), "\(name): a refused log wrote files")
            } else if result.status == 0 {
                imported += 1
                #expect(mutant.entry == nil, "\(name): damage inside \(mutant.entry ?? "") was imported")
            }
        }
        return (refused, imported)
    }

    @Test(needsLogs) func mutatedEvalArchivesExitTwoNamingFileAndEntry() async throws {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: HarnessLogs.dir + "/inspect-log.eval")))
        let zip = try ZipArchive(original)
        let mutants = (0..<40).map { i -> (bytes: [UInt8], entry: String?) in
            var m = Mutator(seed: 2501, index: i)
            guard i % 2 == 0 else { return (m.mutate(original), nil) }
            let e = zip.entries[(i / 2 * 7) % zip.entries.count]
            let start = e.localHeader + 30 + ZipArchive.le(original, e.localHeader + 26, 2) + ZipArchive.le(original, e.localHeader + 28, 2)
            return (m.mutate(original, within: start..<(start + e.compressedSize), inPlace: true), e.name)
        }
        let (refused, _) = try await Self.check("inspect", mutants: mutants, ext: "eval")
        #expect(refused >= 20, "at least the 20 damaged entries are refused")
    }

    @Test(needsLogs) func mutatedLMEvalFilesExitTwoNamingTheFile() async throws {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try HarnessLogs.lmEvalSamples())))
        let mutants = (0..<40).map { i -> (bytes: [UInt8], entry: String?) in
            var m = Mutator(seed: 2502, index: i)
            return (m.mutate(original), nil)
        }
        let (refused, _) = try await Self.check("lm-eval", mutants: mutants, ext: "jsonl")
        #expect(refused > 0)
    }
}
