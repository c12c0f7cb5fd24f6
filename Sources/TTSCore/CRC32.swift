/// CRC-32 (ISO-HDLC: the zip and gzip checksum, reflected polynomial 0xEDB88320), to check that a
/// zip entry decompressed to the bytes the archive was written with.
///
///     CRC32.checksum(Array("123456789".utf8))   // 0xCBF43926
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The checksum of `bytes`; `previous` continues a checksum over bytes that came before.
    public static func checksum(_ bytes: some Collection<UInt8>, previous: UInt32 = 0) -> UInt32 {
        var c = ~previous
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return ~c
    }
}
