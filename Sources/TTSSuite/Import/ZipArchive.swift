import TTSCore

/// Reads the entries of a zip archive held in memory: stored (method 0) and zstd-compressed
/// (method 93, as Inspect AI writes its `.eval` logs) entries; others are refused by name.
///
///     let zip = try ZipArchive(bytes)
///     let header = try zip.contents(of: "header.json")
///
/// The archive is hostile input: every offset is bounds-checked, every entry's bytes are checked
/// against the CRC-32 and the size the central directory records (and a zstd frame against its
/// own checksum when it has one), and no entry is decompressed past `limits` (a zip bomb is
/// refused before its output fills memory). Errors name the entry.
public struct ZipArchive: Sendable {
    public struct Entry: Sendable {
        public var name: String
        var method: Int
        var crc32: UInt32
        var compressedSize: Int
        var size: Int
        var localHeader: Int
    }
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }
    /// How much an archive may expand to.
    public struct Limits: Sendable {
        /// The most one entry may decompress to.
        public var entryBytes: Int
        /// The most all entries together may declare.
        public var totalBytes: Int
        public init(entryBytes: Int = 256 << 20, totalBytes: Int = 2 << 30) {
            self.entryBytes = entryBytes
            self.totalBytes = totalBytes
        }
    }

    let bytes: [UInt8]
    public let limits: Limits
    /// The entries, in the central directory's order.
    public private(set) var entries: [Entry] = []

    public init(_ bytes: [UInt8], limits: Limits = Limits()) throws(ReadError) {
        self.bytes = bytes
        self.limits = limits
        func u(_ at: Int, _ n: Int) throws(ReadError) -> Int {
            guard at >= 0, at + n <= bytes.count else { throw ReadError(description: "zip: truncated archive") }
            return Self.le(bytes, at, n)
        }
        // The end of central directory record: 22 bytes plus a comment of up to 65535.
        var eocd = -1
        var i = bytes.count - 22
        while i >= max(0, bytes.count - 22 - 65535) {
            if bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 5 && bytes[i + 3] == 6 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw ReadError(description: "zip: no end of central directory (not a zip archive)") }
        let count = try u(eocd + 10, 2)
        var p = try u(eocd + 16, 4)
        guard count != 0xFFFF, p != 0xFFFF_FFFF else { throw ReadError(description: "zip: zip64 archives are not supported") }
        var declared = 0
        for _ in 0..<count {
            guard try u(p, 4) == 0x0201_4B50 else { throw ReadError(description: "zip: bad central directory entry") }
            let nameLength = try u(p + 28, 2)
            let extra = try u(p + 30, 2)
            let comment = try u(p + 32, 2)
            guard p + 46 + nameLength <= bytes.count else { throw ReadError(description: "zip: truncated archive") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            let entry = Entry(name: name, method: try u(p + 10, 2), crc32: UInt32(try u(p + 16, 4)), compressedSize: try u(p + 20, 4),
                              size: try u(p + 24, 4), localHeader: try u(p + 42, 4))
            guard entry.compressedSize != 0xFFFF_FFFF, entry.size != 0xFFFF_FFFF else {
                throw ReadError(description: "zip: \(Self.shown(name)): zip64 entries are not supported")
            }
            guard entry.size <= limits.entryBytes else {
                throw ReadError(description: "zip: \(Self.shown(name)): declares \(entry.size) bytes uncompressed, more than the \(limits.entryBytes) an entry may have")
            }
            declared += entry.size
            guard declared <= limits.totalBytes else {
                throw ReadError(description: "zip: the entries declare more than \(limits.totalBytes) bytes uncompressed in all")
            }
            entries.append(entry)
            p += 46 + nameLength + extra + comment
        }
    }

    /// The uncompressed bytes of the entry called `name`, or nil when there is none.
    public func contents(of name: String) throws(ReadError) -> [UInt8]? {
        guard let entry = entries.first(where: { $0.name == name }) else { return nil }
        return try contents(of: entry)
    }

    /// The uncompressed bytes of `entry`, checked against its size and CRC-32.
    public func contents(of entry: Entry) throws(ReadError) -> [UInt8] {
        let h = entry.localHeader
        let name = Self.shown(entry.name)
        guard h + 30 <= bytes.count, Self.le(bytes, h, 4) == 0x0403_4B50 else {
            throw ReadError(description: "zip: \(name): bad local header")
        }
        let start = h + 30 + Self.le(bytes, h + 26, 2) + Self.le(bytes, h + 28, 2)
        guard start + entry.compressedSize <= bytes.count else { throw ReadError(description: "zip: \(name): truncated") }
        let data = Array(bytes[start..<(start + entry.compressedSize)])
        let out: [UInt8]
        switch entry.method {
        case 0: out = data
        case 93:
            do { out = try ZstdDecompression.decompress(data, limit: entry.size) } catch {
                throw ReadError(description: "zip: \(name): " + (error.tooLarge
                    ? "decompresses to more than the \(entry.size) bytes the archive declares (refused, not decompressed further)"
                    : error.description))
            }
        default:
            throw ReadError(description: "zip: \(name): compression method \(entry.method) is not supported (stored and zstd are)")
        }
        guard out.count == entry.size else {
            throw ReadError(description: "zip: \(name): \(out.count) bytes decompressed, the archive says \(entry.size)")
        }
        let crc = CRC32.checksum(out)
        guard crc == entry.crc32 else {
            throw ReadError(description: "zip: \(name): CRC-32 \(Self.hex(crc)) of the decompressed bytes differs from the archive's \(Self.hex(entry.crc32)) (the entry is corrupt)")
        }
        return out
    }

    /// An unsigned little-endian integer of `n` bytes at `at` (the caller checks the bounds).
    static func le(_ b: [UInt8], _ at: Int, _ n: Int) -> Int {
        var v = 0
        for i in 0..<n { v |= Int(b[at + i]) << (8 * i) }
        return v
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - s.count) + s
    }

    /// An entry's name as errors show it: bounded, control characters escaped.
    static func shown(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars.prefix(120) {
            out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? "?" : scalar)
        }
        return name.unicodeScalars.count > 120 ? out + "…" : out
    }
}
