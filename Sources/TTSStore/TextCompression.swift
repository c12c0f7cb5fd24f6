import TTSCore
import CZstd

/// zstd through the system's libzstd (`CZstd`): stored texts (`StoredText`) are written as
/// single zstd frames with their content size, and read back with the frame's size checked.
enum TextCompression {
    /// Level 3 (zstd's default): about as fast as writing the text, several times smaller for traces.
    static let level: Int32 = 3
    /// No stored text decompresses to more than this (a damaged frame must not exhaust memory).
    static let maximumSize = 1 << 31

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The zstd frame of `bytes`; nil when libzstd fails (the text is then stored uncompressed).
    static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        let bound = ZSTD_compressBound(bytes.count)
        var out = [UInt8](repeating: 0, count: bound)
        let written = bytes.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                ZSTD_compress(dst.baseAddress, bound, src.baseAddress, src.count, level)
            }
        }
        guard ZSTD_isError(written) == 0 else { return nil }
        out.removeSubrange(written...)
        return out
    }

    /// The bytes of a frame `compress` wrote.
    static func decompress(_ frame: [UInt8]) throws(Failure) -> [UInt8] {
        let size = frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        // ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR are the two largest values.
        guard size < UInt64.max - 1, size <= UInt64(maximumSize) else {
            throw Failure(description: "not a zstd frame with its content size")
        }
        if size == 0 { return [] }
        var out = [UInt8](repeating: 0, count: Int(size))
        let read = frame.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in ZSTD_decompress(dst.baseAddress, dst.count, src.baseAddress, src.count) }
        }
        guard ZSTD_isError(read) == 0 else {
            throw Failure(description: String(cString: ZSTD_getErrorName(read)))
        }
        guard read == Int(size) else { throw Failure(description: "the frame holds \(read) bytes, its header says \(size)") }
        return out
    }
}
