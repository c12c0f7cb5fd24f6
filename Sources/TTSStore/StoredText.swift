import TTSCore
import Foundation
import GRDB

/// How long texts (sample and call texts, thinking traces) are kept in the database.
///
/// A text is written as a zstd frame in a BLOB when that is smaller, and as TEXT otherwise
/// (short texts, and every text written before compression); reading accepts both, so old
/// databases and readers of single rows need nothing else. Only this type knows the encoding.
enum StoredText {
    /// Texts shorter than this many bytes are written as they are (a frame's overhead would eat the gain).
    static let minimumCompressed = 128

    /// The database value of a text: NULL, TEXT, or a zstd frame in a BLOB.
    static func encode(_ text: String?, compress: Bool = true) -> DatabaseValue {
        guard let text else { return .null }
        guard compress, text.utf8.count >= minimumCompressed else { return text.databaseValue }
        let bytes = Array(text.utf8)
        if let frame = TextCompression.compress(bytes), frame.count < bytes.count { return Data(frame).databaseValue }
        return text.databaseValue
    }

    /// The text of a value `encode` wrote (or a plain TEXT of any version).
    static func decode(_ value: DatabaseValue) throws -> String? {
        switch value.storage {
        case .null: return nil
        case .string(let s): return s
        case .blob(let data):
            do {
                return String(decoding: try TextCompression.decompress([UInt8](data)), as: UTF8.self)
            } catch {
                throw StoreError(message: "a stored text cannot be decompressed (\(error)); the database may be damaged")
            }
        case .int64(let i): return String(i)
        case .double(let d): return String(d)
        }
    }

    /// Bytes of a BLOB column that holds JSON (the request cache's responses): a zstd frame when
    /// that is smaller. JSON never starts with the frame's magic number, so `expand` tells them apart.
    static func shrink(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= minimumCompressed, let frame = TextCompression.compress(bytes), frame.count < bytes.count else { return bytes }
        return frame
    }

    /// The bytes `shrink` was given.
    static func expand(_ stored: [UInt8]) throws -> [UInt8] {
        guard stored.count >= 4, stored[0] == 0x28, stored[1] == 0xB5, stored[2] == 0x2F, stored[3] == 0xFD else { return stored }
        do {
            return try TextCompression.decompress(stored)
        } catch {
            throw StoreError(message: "a cached response cannot be decompressed (\(error)); the database may be damaged")
        }
    }

    /// The text of `column` in `row`.
    static func decode(_ row: Row, _ column: String) throws -> String? {
        try decode(row[column] as DatabaseValue)
    }
}
