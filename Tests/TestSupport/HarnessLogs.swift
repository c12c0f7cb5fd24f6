import Foundation
import TTSCore

/// The real lm-evaluation-harness and Inspect AI logs that tools/harness-logs/make_logs.sh
/// writes (run by .ci/run): `$TTSBENCH_HARNESS_LOGS`, else `.build/harness-logs`.
public enum HarnessLogs {
    public static let dir: String = {
        if let env = ProcessInfo.processInfo.environment["TTSBENCH_HARNESS_LOGS"], !env.isEmpty { return env }
        return (packageRoot as NSString).appendingPathComponent(".build/harness-logs")
    }()
    public static var present: Bool { FileManager.default.fileExists(atPath: dir + "/STAMP") }
    /// Why a test that needs them is skipped.
    public static let absence = "\(dir)/STAMP not found: run tools/harness-logs/make_logs.sh (installs lm-eval and inspect-ai, serves the tiny model)"

    /// The lm-eval samples file (`lm-eval/samples_tiny_add_DATE.jsonl`).
    public static func lmEvalSamples() throws -> String {
        let lm = dir + "/lm-eval"
        guard let name = try FileManager.default.contentsOfDirectory(atPath: lm).first(where: { $0.hasPrefix("samples_tiny_add_") }) else {
            throw TestSetupError("no samples_tiny_add_*.jsonl in \(lm)")
        }
        return lm + "/" + name
    }
}

/// Seeded byte-level mutations of a file, in the manner of a mutation fuzzer: each mutant is a
/// function of (seed, index) alone, so a failure is reproduced from its index.
///
///     var m = Mutator(seed: 25, index: 7)
///     let mutant = m.mutate(original, within: 100..<200, inPlace: true)
public struct Mutator {
    var rng: SplitMix64

    public init(seed: UInt64, index: Int) { rng = SplitMix64("importer-mutation", seed, UInt64(index)) }

    /// Bytes that break parsers more often than random ones.
    static let interesting: [UInt8] = [0, 0xFF, 0x7F, 0x80, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x0A, 0x30, 0x39, 0x2D, 0x65, 0x2E]

    public mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &rng) }

    /// JSON tokens that break readers more often than random bytes: huge and odd numbers, lone
    /// surrogates, wrong types, deep nesting.
    static let tokens: [String] = ["1e999", "-0", "9223372036854775808", "-9223372036854775809", "99999999999999999999999",
                                   "null", "true", "[]", "{}", "\"\\ud800\"", "\"\\u0000\"", "NaN", "-1", "0.5",
                                   String(repeating: "[", count: 600), String(repeating: "{\"a\":", count: 300)]

    /// 1 to 4 mutations (bit flip, random or interesting byte, swapped bytes; unless `inPlace`:
    /// deletion, duplication, insertion of random bytes or of a JSON token, truncation), each at
    /// a position in `within` (default: anywhere). Never returns `original` unchanged.
    public mutating func mutate(_ original: [UInt8], within: Range<Int>? = nil, inPlace: Bool = false) -> [UInt8] {
        var bytes = original
        let region = within ?? 0..<max(1, original.count)
        while bytes == original {
            for _ in 0..<int(1..<5) {
                guard !bytes.isEmpty else { break }
                let at = min(int(region), bytes.count - 1)
                switch int(0..<(inPlace ? 5 : 11)) {
                case 0, 1: bytes[at] ^= UInt8(1) << UInt8(int(0..<8))
                case 2: bytes[at] = UInt8(int(0..<256))
                case 3: bytes[at] = Self.interesting[int(0..<Self.interesting.count)]
                case 4: bytes.swapAt(at, min(int(region), bytes.count - 1))
                case 5: bytes.removeSubrange(at..<min(bytes.count, at + int(1..<17)))
                case 6:
                    let piece = bytes[at..<min(bytes.count, at + int(1..<65))]
                    bytes.insert(contentsOf: piece, at: min(bytes.count, at + piece.count))
                case 7: bytes.insert(contentsOf: (0..<int(1..<9)).map { _ in UInt8(int(0..<256)) }, at: at)
                case 8: bytes.removeSubrange(at...)
                default: bytes.insert(contentsOf: Array(Self.tokens[int(0..<Self.tokens.count)].utf8), at: at)
                }
            }
        }
        return bytes
    }
}
