import Foundation

/// A JSON value with a canonical serialisation (object keys sorted, shortest round-trip
/// numbers): request bodies are built from it, and the request cache key is the SHA-256 of
/// its canonical bytes, so equal requests always give equal keys.
///
/// Not `indirect`: arrays and objects already live on the heap, and a boxed scalar would cost
/// an allocation per value parsed or written.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var intValue: Int? {
        switch self {
        case .int(let i): Int(i)
        case .double(let d) where d.rounded() == d && abs(d) < 9e18: Int(d)
        default: nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }

    /// Canonical bytes: sorted keys, no whitespace.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    public var canonicalString: String { String(decoding: canonicalBytes, as: UTF8.self) }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): Self.writeInt(i, into: &out)
        case .double(let d): Self.writeDouble(d, into: &out)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                v.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, key) in o.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                o[key]!.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// An integer as canonical JSON.
    package static func writeInt(_ i: Int64, into out: inout [UInt8]) {
        if i >= 0 && i < 10 { out.append(UInt8(48 + i)); return }
        out.append(contentsOf: String(i).utf8)
    }

    /// A double as canonical JSON: integral values with ".0" (so the type survives a round
    /// trip), others in Swift's shortest round-trip form, non-finite ones as null.
    package static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        if d.isFinite && d.rounded() == d && abs(d) < 1e15 {
            writeInt(Int64(d), into: &out)
            out.append(contentsOf: ".0".utf8)
        } else if d.isFinite {
            out.append(contentsOf: "\(d)".utf8)
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }

    /// A string as canonical JSON: `"` and `\\` escaped, control characters as \n, \r, \t
    /// or \u00XX, everything else (UTF-8 included) as is. Runs without escapes are copied whole.
    package static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let byte = bytes[i]
                guard byte == 34 || byte == 92 || byte < 0x20 else { continue }
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
                start = i + 1
                switch byte {
                case 34: out.append(contentsOf: [92, 34])
                case 92: out.append(contentsOf: [92, 92])
                case 10: out.append(contentsOf: [92, 110])
                case 13: out.append(contentsOf: [92, 114])
                case 9: out.append(contentsOf: [92, 116])
                default:
                    let hex: StaticString = "0123456789abcdef"
                    out.append(contentsOf: [92, 117, 48, 48, hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 15)]])
                }
            }
            if start < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses JSON bytes; nil when they are not exactly one valid JSON value.
    public static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { buffer -> JSONValue? in
            var parser = JSONParser(bytes: buffer)
            guard let value = try? parser.parseValue(depth: 0) else { return nil }
            parser.skipSpace()
            return parser.index == buffer.count ? value : nil
        }
    }
}

/// A small strict JSON parser (RFC 8259) over bytes.
struct JSONParser {
    struct Failure: Error {}
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 32 || bytes[index] == 10 || bytes[index] == 13 || bytes[index] == 9 { index += 1 }
    }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < 512 else { throw Failure() }
        skipSpace()
        guard index < bytes.count else { throw Failure() }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var out: [String: JSONValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(out) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure() }
                let key = try parseString()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Failure() }
                index += 1
                out[key] = try parseValue(depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw Failure() }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(out) }
                throw Failure()
            }
        case UInt8(ascii: "["):
            index += 1
            var out: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(out) }
            while true {
                out.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw Failure() }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(out) }
                throw Failure()
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try parseNumber()
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw Failure() }
        for i in 0..<n where bytes[index + i] != word.utf8Start[i] { throw Failure() }
        index += n
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
        guard index > digitsStart else { throw Failure() }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let f = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            guard index > f else { throw Failure() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let e = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            guard index > e else { throw Failure() }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let i = Int64(text) { return .int(i) }
        guard let d = Double(text) else { throw Failure() }
        return .double(d)
    }

    mutating func parseString() throws -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                guard let s else { throw Failure() }
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            index += 1
        }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw Failure() }
                return s
            }
            guard b >= 0x20 else { throw Failure() }
            if b != UInt8(ascii: "\\") { out.append(b); index += 1; continue }
            index += 1
            guard index < bytes.count else { throw Failure() }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(34)
            case UInt8(ascii: "\\"): out.append(92)
            case UInt8(ascii: "/"): out.append(47)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A surrogate pair; a lone surrogate becomes U+FFFD.
                    if index + 1 < bytes.count, bytes[index] == 92, bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        scalar = (low >= 0xDC00 && low < 0xE000) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: throw Failure()
            }
        }
        throw Failure()
    }

    mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            index += 1
            let d: UInt32
            switch b {
            case 48...57: d = UInt32(b - 48)
            case 65...70: d = UInt32(b - 55)
            case 97...102: d = UInt32(b - 87)
            default: throw Failure()
            }
            v = v << 4 | d
        }
        return v
    }
}
