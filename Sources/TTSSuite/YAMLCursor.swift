import TTSCore
import Yams

/// A typed, located view of one node of a composed YAML document.
///
/// Suites are read by walking `Yams.compose`'s node tree rather than through `Decodable`, so that
/// every error (wrong type, unknown key, value out of range, dangling reference) carries the
/// line and column of the offending node, and unknown keys are caught instead of ignored.
struct YAMLCursor {
    let node: Node
    let path: [String]
    let file: String
    let budget: NodeBudget

    var pathString: String { path.isEmpty ? "document" : path.joined(separator: ".") }

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }

    func error(_ message: String) -> SuiteError {
        SuiteError(file: file, line: line, column: column, message: message)
    }

    func child(_ node: Node, _ component: String) throws -> YAMLCursor {
        try budget.spend(at: self)
        return YAMLCursor(node: node, path: path + [component], file: file, budget: budget)
    }

    var kindName: String {
        switch node {
        case .scalar(let s):
            if isNull { return "null" }
            return "a scalar ('\(s.string.prefix(40))')"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    var isNull: Bool {
        if case .scalar(let s) = node, s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) { return true }
        return false
    }

    // MARK: mappings

    /// The key/value pairs of a mapping, checked against the allowed keys.
    func mapping(allowed: [String]? = nil, what: String? = nil) throws -> [(key: String, value: YAMLCursor, keyCursor: YAMLCursor)] {
        guard case .mapping(let mapping) = node else {
            throw error("'\(pathString)' must be \(what ?? "a mapping"), found \(kindName)")
        }
        var seen = Set<String>()
        var out: [(key: String, value: YAMLCursor, keyCursor: YAMLCursor)] = []
        for (keyNode, valueNode) in mapping {
            let keyCursor = try child(keyNode, "<key>")
            guard case .scalar(let keyScalar) = keyNode else {
                throw keyCursor.error("keys of '\(pathString)' must be plain strings, found \(keyCursor.kindName)")
            }
            let key = keyScalar.string
            if let allowed, !allowed.contains(key) {
                let suggestion = closest(key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw keyCursor.error("unknown key '\(key)' in '\(pathString)'\(suggestion); expected one of: \(allowed.joined(separator: ", "))")
            }
            if !seen.insert(key).inserted {
                throw keyCursor.error("duplicate key '\(key)' in '\(pathString)'")
            }
            let childPath = path + [key]
            try budget.spend(at: self)
            out.append((key, YAMLCursor(node: valueNode, path: childPath, file: file, budget: budget), keyCursor))
        }
        return out
    }

    func optional(_ key: String) -> YAMLCursor? {
        guard case .mapping(let mapping) = node else { return nil }
        for (keyNode, valueNode) in mapping {
            if case .scalar(let s) = keyNode, s.string == key {
                return YAMLCursor(node: valueNode, path: path + [key], file: file, budget: budget)
            }
        }
        return nil
    }

    func required(_ key: String, expected: String) throws -> YAMLCursor {
        guard case .mapping = node else {
            throw error("'\(pathString)' must be a mapping, found \(kindName)")
        }
        guard let value = optional(key), !value.isNull else {
            throw error("'\(pathString)' is missing the required key '\(key)' (\(expected))")
        }
        return value
    }

    // MARK: scalars

    private func scalarString(expected: String) throws -> String {
        guard case .scalar(let s) = node, !isNull else {
            throw error("'\(pathString)' must be \(expected), found \(kindName)")
        }
        return s.string
    }

    func string(nonEmpty: Bool = true) throws -> String {
        let value = try scalarString(expected: "a string")
        if nonEmpty && value.trimmingSpaces.isEmpty {
            throw error("'\(pathString)' must be a non-empty string")
        }
        return value
    }

    /// A name used in files, leaderboards and the command line: letters, digits, '_', '-', '.'
    /// (and '/' for system names), not starting with '.', at most 64 characters.
    func identifier(allowSlash: Bool = false) throws -> String {
        let value = try string()
        let extra = allowSlash ? "_-./" : "_-."
        let ok = value.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || extra.unicodeScalars.contains($0) }
        guard ok, value.count <= 64, !value.hasPrefix("."), !value.hasPrefix("/") else {
            throw error("'\(pathString)' must be a name of at most 64 letters, digits, \(allowSlash ? "'/', " : "")'_', '-' or '.', not starting with '.', found '\(value.prefix(80))'")
        }
        return value
    }

    func int(min: Int? = nil, max: Int? = nil) throws -> Int {
        let text = try scalarString(expected: "an integer")
        guard let value = Int(text.replacingUnderscores) else {
            throw error("'\(pathString)' must be an integer, found '\(text.prefix(40))'")
        }
        try checkRange(Double(value), min: min.map(Double.init), max: max.map(Double.init), shown: text)
        return value
    }

    func uint64() throws -> UInt64 {
        let text = try scalarString(expected: "a non-negative integer")
        guard let value = UInt64(text.replacingUnderscores) else {
            throw error("'\(pathString)' must be a non-negative integer below 2^64, found '\(text.prefix(40))'")
        }
        return value
    }

    func double(min: Double? = nil, max: Double? = nil, exclusiveMin: Bool = false) throws -> Double {
        let text = try scalarString(expected: "a number")
        guard let value = Double(text.replacingUnderscores), value.isFinite else {
            throw error("'\(pathString)' must be a finite number, found '\(text.prefix(40))'")
        }
        if exclusiveMin, let min, value <= min {
            throw error("'\(pathString)' must be greater than \(format(min)), found \(text)")
        }
        try checkRange(value, min: exclusiveMin ? nil : min, max: max, shown: text)
        return value
    }

    func bool() throws -> Bool {
        let text = try scalarString(expected: "true or false")
        switch text {
        case "true", "True", "TRUE", "yes", "on": return true
        case "false", "False", "FALSE", "no", "off": return false
        default: throw error("'\(pathString)' must be true or false, found '\(text.prefix(40))'")
        }
    }

    func oneOf(_ choices: [String]) throws -> String {
        let value = try string()
        guard choices.contains(value) else {
            let suggestion = closest(value, in: choices).map { " (did you mean '\($0)'?)" } ?? ""
            throw error("'\(pathString)' must be one of \(choices.joined(separator: ", ")), found '\(value.prefix(40))'\(suggestion)")
        }
        return value
    }

    private func checkRange(_ value: Double, min: Double?, max: Double?, shown: String) throws {
        if let min, value < min { throw error("'\(pathString)' must be at least \(format(min)), found \(shown.prefix(40))") }
        if let max, value > max { throw error("'\(pathString)' must be at most \(format(max)), found \(shown.prefix(40))") }
    }

    // MARK: sequences

    func list(what: String = "a list", allowScalar: Bool = false) throws -> [YAMLCursor] {
        switch node {
        case .sequence(let seq):
            var out: [YAMLCursor] = []
            for (i, element) in seq.enumerated() {
                try budget.spend(at: self)
                out.append(YAMLCursor(node: element, path: path.isEmpty ? ["[\(i)]"] : path.dropLast() + [path.last! + "[\(i)]"], file: file, budget: budget))
            }
            return out
        case .scalar where allowScalar && !isNull:
            return [self]
        default:
            throw error("'\(pathString)' must be \(what), found \(kindName)")
        }
    }
}

/// Limits the number of nodes visited, so an alias bomb ("billion laughs") fails fast instead of
/// expanding exponentially while the suite is walked.
final class NodeBudget: @unchecked Sendable {
    private var remaining: Int
    init(_ limit: Int = 200_000) { remaining = limit }
    func spend(at cursor: YAMLCursor) throws {
        remaining -= 1
        if remaining < 0 {
            throw cursor.error("the suite expands to more than 200000 nodes (alias bomb?) near '\(cursor.pathString)'")
        }
    }
}

private func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
}

extension StringProtocol {
    package var trimmingSpaces: SubSequence {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
    fileprivate var replacingUnderscores: String {
        // YAML 1.1 allows 1_000; a leading '+' is fine for Int/Double parsing.
        contains("_") ? String(filter { $0 != "_" }) : String(self)
    }
}
