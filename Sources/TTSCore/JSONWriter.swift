/// Writes a `JSONValue` as the text of the tool's JSON outputs: keys always sorted, strings
/// escaped as in canonical JSON, numbers in an explicit style, in one of three layouts.
///
/// - `compact`: no whitespace (with `.shortest` numbers, `JSONValue.canonicalString`).
/// - `line`: one line, `", "` between elements and `": "` after keys
///   (`{"a": 1, "b": [1, 2]}`).
/// - `document`: a top-level object with one key per line (two-space indent); a value that is
///   a non-empty array of objects has one element per line (four-space indent); every other
///   value is written inline as in `line`. Ends with a line break. The layout of
///   `leaderboard.json`, `provenance.json` and `ttsbench plan --json`.
///
/// `verbatim` places text that is already JSON at a key path (object keys from the top), for
/// what a `JSONValue` cannot hold as is: a stored canonical fragment kept byte for byte, or a
/// number beyond `Int64` (an unsigned 64-bit seed). `order` lists, for the object at a key path,
/// keys written first in that order (the others follow, sorted): only for outputs whose
/// published order predates the writer, so that their bytes stay as they were.
public struct JSONWriter: Sendable {
    public enum Layout: Sendable, Equatable {
        case compact, line, document
    }

    /// How doubles are spelt (integers are always written as they are).
    public enum Numbers: Sendable, Equatable {
        /// Canonical: the shortest round-trip form, integral values with ".0".
        case shortest
        /// Rounded to this many decimals, then the shortest round-trip form; integral values
        /// without a fraction ("348.424583", "0.5", "1", "0").
        case decimals(Int)

        /// The text of `x` in this style; "null" when `x` is not finite.
        public func spell(_ x: Double) -> String {
            guard x.isFinite else { return "null" }
            switch self {
            case .shortest:
                var out: [UInt8] = []
                JSONValue.writeDouble(x, into: &out)
                return String(decoding: out, as: UTF8.self)
            case .decimals(let n):
                let scale = pow10(n)
                let r = (x * scale).rounded() / scale
                if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
                return String(r)
            }
        }

        private func pow10(_ n: Int) -> Double {
            var p = 1.0
            for _ in 0..<max(0, n) { p *= 10 }
            return p
        }
    }

    public var layout: Layout
    public var numbers: Numbers

    public init(layout: Layout = .compact, numbers: Numbers = .shortest) {
        self.layout = layout
        self.numbers = numbers
    }

    /// The text of `value`; `verbatim` maps key paths to text written there as is, `order`
    /// key paths to the keys written first there.
    public func string(_ value: JSONValue, verbatim: [[String]: String] = [:], order: [[String]: [String]] = [:]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        let paths = Paths(verbatim: verbatim, order: order)
        switch layout {
        case .compact: write(value, path: [], paths, spaced: false, into: &out)
        case .line: write(value, path: [], paths, spaced: true, into: &out)
        case .document: writeDocument(value, paths, into: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What the key paths ask for.
    private struct Paths {
        var verbatim: [[String]: String]
        var order: [[String]: [String]]
        static let empty = Paths(verbatim: [:], order: [:])

        /// The keys of `o` in writing order: the listed ones first, then the others sorted.
        func keys(_ o: [String: JSONValue], at path: [String]) -> [String] {
            guard let first = order[path] else { return o.keys.sorted() }
            let listed = first.filter { o[$0] != nil }
            let set = Set(listed)
            return listed + o.keys.filter { !set.contains($0) }.sorted()
        }
    }

    private func writeDocument(_ value: JSONValue, _ paths: Paths, into out: inout [UInt8]) {
        guard case .object(let o) = value, paths.verbatim[[]] == nil else {
            write(value, path: [], paths, spaced: true, into: &out)
            out.append(10)
            return
        }
        out.append(contentsOf: "{".utf8)
        for (i, key) in paths.keys(o, at: []).enumerated() {
            out.append(contentsOf: (i > 0 ? ",\n  " : "\n  ").utf8)
            JSONValue.writeString(key, into: &out)
            out.append(contentsOf: ": ".utf8)
            let path = [key]
            if paths.verbatim[path] == nil, case .array(let elements) = o[key]!, !elements.isEmpty,
               elements.allSatisfy({ $0.objectValue != nil }) {
                out.append(UInt8(ascii: "["))
                for (j, element) in elements.enumerated() {
                    out.append(contentsOf: (j > 0 ? ",\n    " : "\n    ").utf8)
                    write(element, path: path, .empty, spaced: true, into: &out)
                }
                out.append(contentsOf: "\n  ]".utf8)
            } else {
                write(o[key]!, path: path, paths, spaced: true, into: &out)
            }
        }
        out.append(contentsOf: (o.isEmpty ? "}\n" : "\n}\n").utf8)
    }

    private func write(_ value: JSONValue, path: [String], _ paths: Paths, spaced: Bool, into out: inout [UInt8]) {
        if !paths.verbatim.isEmpty, let text = paths.verbatim[path] {
            out.append(contentsOf: text.utf8)
            return
        }
        switch value {
        case .null, .bool, .int, .string: value.write(into: &out)
        case .double(let d): out.append(contentsOf: numbers.spell(d).utf8)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(contentsOf: (spaced ? ", " : ",").utf8) }
                // Paths name object keys only: elements of an array are not addressed.
                write(v, path: path, .empty, spaced: spaced, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, key) in paths.keys(o, at: path).enumerated() {
                if i > 0 { out.append(contentsOf: (spaced ? ", " : ",").utf8) }
                JSONValue.writeString(key, into: &out)
                out.append(contentsOf: (spaced ? ": " : ":").utf8)
                write(o[key]!, path: path + [key], paths, spaced: spaced, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

extension JSONValue {
    /// An `Int` as a JSON integer.
    public static func integer(_ i: Int) -> JSONValue { .int(Int64(i)) }
}
