import CZstd

/// Zstandard decompression through the system's libzstd (`CZstd`, Debian's libzstd-dev), for the
/// zstd-compressed entries of Inspect AI's `.eval` logs. Streams the frames (concatenated and
/// skippable frames included) into an output that never grows past `limit` bytes, so a small
/// entry that claims to expand without end is refused, not decompressed into memory. libzstd
/// checks a frame's content checksum and content size when the frame records them.
///
///     let bytes = try ZstdDecompression.decompress(frame, limit: 64 << 20)
public enum ZstdDecompression {
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
        /// The data holds more than the limit (the rest was not decompressed).
        public var tooLarge = false
    }

    /// Output is produced this much at a time (memory follows what the data really holds).
    static let chunk = 1 << 20

    /// The bytes the frames of `input` hold; throws when the data is not whole zstd frames
    /// (truncated, corrupt, a wrong checksum) or when it would exceed `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        if input.isEmpty { throw Failure(description: "zstd: empty data, no frame") }
        guard let context = ZSTD_createDCtx() else { throw Failure(description: "zstd: libzstd could not allocate a decoder") }
        defer { ZSTD_freeDCtx(context) }
        // Frames asking for a window over 128 MiB are refused (libzstd's default limit, stated here).
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 27)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: min(chunk, limit + 1))
        var pending: Int = 0  // libzstd's hint: 0 once a frame is complete
        var consumed = 0
        while true {
            var produced = 0
            let before = consumed
            let result: Int = input.withUnsafeBytes { src in
                buffer.withUnsafeMutableBytes { dst in
                    var inBuffer = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: consumed)
                    var outBuffer = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                    consumed = inBuffer.pos
                    produced = outBuffer.pos
                    return r
                }
            }
            if ZSTD_isError(result) != 0 {
                throw Failure(description: "zstd: " + String(cString: ZSTD_getErrorName(result)))
            }
            guard out.count + produced <= limit else {
                throw Failure(description: "zstd: decompresses to more than \(limit) bytes", tooLarge: true)
            }
            out.append(contentsOf: buffer[0..<produced])
            pending = result
            // Done when every input byte is read and the output buffer was not filled (nothing
            // is left inside the decoder).
            if consumed == input.count && produced < buffer.count { break }
            if consumed == before && produced == 0 { break }  // no progress: never loop in place
        }
        guard consumed == input.count else { throw Failure(description: "zstd: the decoder stopped at byte \(consumed) of \(input.count)") }
        guard pending == 0 else { throw Failure(description: "zstd: truncated frame (the data ends inside a frame)") }
        return out
    }
}
