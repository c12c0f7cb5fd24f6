/// Reads the entries of a zip archive held in memory: stored (method 0) and zstd-compressed
/// (method 93, as Inspect AI writes its `.eval` logs) entries; others are refused by name.
///
///     let zip = try ZipArchive(bytes)
///     let header = try zip.contents(of: "header.json")
public struct ZipArchive: Sendable {
    public struct Entry: Sendable {
        public var name: String
        var method: Int
        var compressedSize: Int
        var size: Int
        var localHeader: Int
    }
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    let bytes: [UInt8]
    /// The entries, in the central directory's order.
    public private(set) var entries: [Entry] = []

    public init(_ bytes: [UInt8]) throws(ReadError) {
        self.bytes = bytes
        func u(_ at: Int, _ n: Int) throws(ReadError) -> Int {
            guard at >= 0, at + n <= bytes.count else { throw ReadError(description: "zip: truncated archive") }
            return Zstd.le(bytes, at, n)
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
        for _ in 0..<count {
            guard try u(p, 4) == 0x0201_4B50 else { throw ReadError(description: "zip: bad central directory entry") }
            let nameLength = try u(p + 28, 2)
            let extra = try u(p + 30, 2)
            let comment = try u(p + 32, 2)
            guard p + 46 + nameLength <= bytes.count else { throw ReadError(description: "zip: truncated archive") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            let entry = Entry(name: name, method: try u(p + 10, 2), compressedSize: try u(p + 20, 4), size: try u(p + 24, 4),
                              localHeader: try u(p + 42, 4))
            guard entry.compressedSize != 0xFFFF_FFFF, entry.size != 0xFFFF_FFFF else {
                throw ReadError(description: "zip: \(name): zip64 entries are not supported")
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

    public func contents(of entry: Entry) throws(ReadError) -> [UInt8] {
        let h = entry.localHeader
        guard h + 30 <= bytes.count, Zstd.le(bytes, h, 4) == 0x0403_4B50 else {
            throw ReadError(description: "zip: \(entry.name): bad local header")
        }
        let start = h + 30 + Zstd.le(bytes, h + 26, 2) + Zstd.le(bytes, h + 28, 2)
        guard start + entry.compressedSize <= bytes.count else { throw ReadError(description: "zip: \(entry.name): truncated") }
        let data = Array(bytes[start..<(start + entry.compressedSize)])
        let out: [UInt8]
        switch entry.method {
        case 0: out = data
        case 93:
            do { out = try Zstd.decompress(data) } catch { throw ReadError(description: "zip: \(entry.name): \(error.description)") }
        default:
            throw ReadError(description: "zip: \(entry.name): compression method \(entry.method) is not supported (stored and zstd are)")
        }
        guard out.count == entry.size else {
            throw ReadError(description: "zip: \(entry.name): \(out.count) bytes decompressed, the archive says \(entry.size)")
        }
        return out
    }
}
