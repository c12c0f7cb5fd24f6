@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
import Foundation
import Testing

/// The `.eval` reader's defences, on archives built here: each entry's CRC-32 and size are
/// checked, a zstd entry is decompressed by libzstd and never past the size it declares, and a
/// zip bomb is refused by name. (Real Inspect archives: HarnessLogImportTests, ImporterFuzzTests.)
@Suite struct ZipArchiveTests {
    typealias Part = TestZip.Part
    static func zip(_ parts: [Part]) -> [UInt8] { TestZip.archive(parts) }

    static func zstd(_ name: String, _ bytes: [UInt8], checksummed: Bool = true) -> Part {
        Part(name: name, method: 93, data: TextCompression.compress(bytes)!, crc: checksummed ? CRC32.checksum(bytes) : 0, size: bytes.count)
    }

    static func error(_ bytes: [UInt8], limits: ZipArchive.Limits = .init()) -> String {
        do {
            let zip = try ZipArchive(bytes, limits: limits)
            for entry in zip.entries { _ = try zip.contents(of: entry) }
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func crc32HasTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        let split = CRC32.checksum(Array("56789".utf8), previous: CRC32.checksum(Array("1234".utf8)))
        #expect(split == 0xCBF4_3926, "a checksum continues over later bytes")
    }

    @Test func storedAndZstdEntriesReadBack() throws {
        let text = String(repeating: "{\"id\": 1, \"text\": \"the same words again\"}\n", count: 500)
        let zip = try ZipArchive(Self.zip([.stored("a.json", "{}"), Self.zstd("b.json", Array(text.utf8))]))
        #expect(zip.entries.map(\.name) == ["a.json", "b.json"])
        #expect(try zip.contents(of: "a.json") == Array("{}".utf8))
        #expect(try zip.contents(of: "b.json") == Array(text.utf8))
        #expect(try zip.contents(of: "c.json") == nil)
    }

    @Test func anEntryWhoseBytesDoNotMatchItsCRCIsRefused() {
        var stored = Part.stored("header.json", #"{"status": "success"}"#)
        stored.data[3] ^= 0x20  // same size, other bytes: only the CRC tells
        #expect(Self.error(Self.zip([stored])).hasPrefix("zip: header.json: CRC-32 0x"))
        #expect(Self.error(Self.zip([stored])).hasSuffix("(the entry is corrupt)"))
        var compressed = Self.zstd("samples/1_epoch_1.json", Array(String(repeating: "abc", count: 100).utf8))
        compressed.crc ^= 1
        #expect(Self.error(Self.zip([compressed])).hasPrefix("zip: samples/1_epoch_1.json: CRC-32"))
    }

    @Test func aCorruptOrTruncatedZstdEntryIsRefusedByName() {
        var damaged = Self.zstd("s.json", Array(String(repeating: "0123456789", count: 300).utf8))
        damaged.data.removeLast(3)
        #expect(Self.error(Self.zip([damaged])).hasPrefix("zip: s.json: zstd: "))
        var garbage = damaged
        garbage.data = [1, 2, 3, 4, 5, 6, 7, 8]
        #expect(Self.error(Self.zip([garbage])).hasPrefix("zip: s.json: zstd: "))
        var empty = damaged
        empty.data = []
        #expect(Self.error(Self.zip([empty])) == "zip: s.json: zstd: empty data, no frame")
        var shorter = Self.zstd("s.json", Array("hello".utf8))
        shorter.size = 9
        #expect(Self.error(Self.zip([shorter])) == "zip: s.json: 5 bytes decompressed, the archive says 9")
    }

    /// 64 MiB of zeros compress to a few KiB: declared as 100 bytes, the entry is stopped at 100
    /// bytes of output; declared as 2 GiB (over the limit), the archive is refused before anything
    /// is decompressed; entries that together declare more than the total limit likewise.
    @Test func aZipBombIsRefusedNotDecompressed() {
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        var bomb = Self.zstd("samples/bomb.json", zeros, checksummed: false)
        #expect(bomb.data.count < 64 << 10)
        bomb.size = 100
        #expect(Self.error(Self.zip([bomb])) == "zip: samples/bomb.json: decompresses to more than the 100 bytes the archive declares (refused, not decompressed further)")
        bomb.size = 2 << 30
        #expect(Self.error(Self.zip([bomb])) == "zip: samples/bomb.json: declares 2147483648 bytes uncompressed, more than the 268435456 an entry may have")
        let small = ZipArchive.Limits(entryBytes: 40 << 20, totalBytes: 100 << 20)
        #expect(Self.error(Self.zip([Self.zstd("big.json", zeros, checksummed: false)]), limits: small).contains("more than the 41943040 an entry may have"))
        let many = (0..<3).map { Self.zstd("part\($0).json", [UInt8](repeating: 0, count: 40 << 20), checksummed: false) }
        #expect(Self.error(Self.zip(many), limits: ZipArchive.Limits(entryBytes: 40 << 20, totalBytes: 100 << 20))
                == "zip: the entries declare more than 104857600 bytes uncompressed in all")
    }

    @Test func hostileNamesAndMethodsAreShownSafely() {
        var odd = Part.stored("a\u{1B}[31m\nb.json", "{}")
        odd.method = 8
        #expect(Self.error(Self.zip([odd])) == "zip: a?[31m?b.json: compression method 8 is not supported (stored and zstd are)")
        #expect(Self.error(Array("not a zip at all".utf8)) == "zip: no end of central directory (not a zip archive)")
        #expect(Self.error([]) == "zip: no end of central directory (not a zip archive)")
    }
}
