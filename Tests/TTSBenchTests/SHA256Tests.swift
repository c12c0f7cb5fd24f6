@testable import TTSSuite
@testable import TTSCore
import Testing

/// Fingerprints and request-cache keys are SHA-256: a wrong digest would silently change every
/// key of every database.
@Suite struct SHA256Tests {
    @Test("FIPS 180-4 test vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func vectors(input: String, digest: String) {
        #expect(SHA256.hex(input) == digest)
    }

    @Test func aMillionAsInChunksOfEveryAlignment() {
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1024)
        var fed = 0, size = 1
        while fed < 1_000_000 {
            let n = min(size, 1_000_000 - fed)
            hasher.update(chunk.prefix(n))
            fed += n
            size = size % 997 + 7  // every offset within a block, sooner or later
        }
        let hex = hasher.finalize().map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalEqualsOneShotAcrossBlockBoundaries() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 300] {
            let data = Array(bytes.prefix(length))
            let oneShot = SHA256.hex(bytes: data)
            for split in Set([0, length / 3, length / 2, max(0, length - 1), length]) {
                var h = SHA256()
                h.update(data[..<split])
                h.update(data[split...].lazy.map { $0 })  // a sequence without contiguous storage
                let digits = h.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
                #expect(digits == oneShot, "length \(length), split \(split)")
            }
        }
    }
}
