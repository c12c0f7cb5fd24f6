@testable import TTSSuite
@testable import TTSStore
import Foundation
import Testing

/// Mutated real logs through the built binary (the in-process mutation test with more mutants is
/// Tests/TTSBenchTests/ImporterFuzzTests.swift): every run ends by itself under a 2 GiB
/// address-space limit, no signal; a refused log exits 2 with `ttsbench import: FILE: ...` (and
/// the entry, for damage inside an `.eval` entry) and writes nothing; an accepted one exits 0.
@Suite struct ImporterFuzzCLITests {
    static let needsLogs = ConditionTrait.enabled(if: HarnessLogs.present || requireInputs, Comment(rawValue: HarnessLogs.absence))

    /// `messages`: what each mutant's error must contain, when given.
    static func check(_ harness: String, mutants: [(bytes: [UInt8], entry: String?)], ext: String,
                      messages: [String]? = nil) async throws -> (refused: Int, imported: Int) {
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
                #expect(result.stderr.hasPrefix("ttsbench import: \(name):"), "\(name): \(result.stderr.prefix(300))")
                if let entry = mutant.entry { #expect(result.stderr.contains("zip: \(entry): "), "\(name): \(result.stderr.prefix(300))") }
                if let messages { #expect(result.stderr.contains(messages[i]), "\(name): \(result.stderr.prefix(300))") }
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

    /// 512 MiB of zeros in a few KiB (32 zstd frames of 16 MiB each) in an entry that declares
    /// 1,000 bytes, and the same declaring its true size (over the 256 MiB an entry may have):
    /// exit 2 naming the entry, under the 2 GiB address-space limit, nothing written.
    @Test func aZipBombExitsTwoWithoutDecompressing() async throws {
        let sixteen = try #require(TextCompression.compress([UInt8](repeating: 0, count: 16 << 20)))
        let frame = Array((0..<32).map { _ in sixteen }.joined())
        let header = TestZip.Part.stored("header.json", #"{"status": "success", "eval": {"task": "t", "model": "m"}}"#)
        var bomb = TestZip.Part(name: "samples/1_epoch_1.json", method: 93, data: frame, crc: 0, size: 1000)
        let small = TestZip.archive([bomb, header])
        bomb.size = 512 << 20
        let honest = TestZip.archive([bomb, header])
        let mutants: [(bytes: [UInt8], entry: String?)] = [(small, bomb.name), (honest, bomb.name)]
        let (refused, _) = try await Self.check("inspect", mutants: mutants, ext: "eval", messages: [
            "decompresses to more than the 1000 bytes the archive declares", "declares 536870912 bytes uncompressed, more than the 268435456",
        ])
        #expect(refused == 2)
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
