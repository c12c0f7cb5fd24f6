import TTSCore

/// Zip archives built byte by byte for the reader's tests, with whatever CRC-32 and sizes the
/// test wants the central directory to claim.
///
///     let bytes = TestZip.archive([.stored("header.json", "{}")])
public enum TestZip {
    /// One entry: its name, method (0 stored, 93 zstd) and data as written, and the CRC-32 and
    /// uncompressed size the central directory records.
    public struct Part: Sendable {
        public var name: String
        public var method: Int
        public var data: [UInt8]
        public var crc: UInt32
        public var size: Int

        public init(name: String, method: Int, data: [UInt8], crc: UInt32, size: Int) {
            self.name = name
            self.method = method
            self.data = data
            self.crc = crc
            self.size = size
        }

        public static func stored(_ name: String, _ text: String) -> Part {
            let b = Array(text.utf8)
            return Part(name: name, method: 0, data: b, crc: CRC32.checksum(b), size: b.count)
        }
    }

    /// Local headers with the data, the central directory, the end record.
    public static func archive(_ parts: [Part]) -> [UInt8] {
        func le(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        var out: [UInt8] = []
        var central: [UInt8] = []
        for p in parts {
            let name = Array(p.name.utf8)
            let fields = le(p.method, 2) + le(0, 4) + le(Int(p.crc), 4) + le(p.data.count, 4) + le(p.size, 4) + le(name.count, 2) + le(0, 2)
            central += le(0x0201_4B50, 4) + le(63, 2) + le(63, 2) + le(0, 2) + fields + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(out.count, 4) + name
            out += le(0x0403_4B50, 4) + le(63, 2) + le(0, 2) + fields + name + p.data
        }
        let at = out.count
        return out + central + le(0x0605_4B50, 4) + le(0, 4) + le(parts.count, 2) + le(parts.count, 2) + le(central.count, 4) + le(at, 4) + le(0, 2)
    }
}
