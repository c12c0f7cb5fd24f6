import TTSCore
import Foundation
import Yams

/// Refuses aliases used inside mapping keys before the real compose.
///
/// Yams hashes every mapping key while composing (to find duplicates), and hashing walks the
/// key's whole expansion: an alias bomb used as a key ("? *laughs") would take hours there,
/// before any of our own node budgets could see it. So the text is first composed with every
/// alias replaced by an inert placeholder scalar (cheap: nothing expands), and any key that
/// contains a placeholder is refused at its line and column. Real suites never key a mapping
/// by an alias.
enum AliasKeyGuard {
    static let marker = "__ttsbench_alias__:"

    static func check(_ text: String, path: String) throws {
        guard let replaced = replacingAliases(in: text) else { return }  // no alias at all
        let root: Node?
        do {
            root = try Yams.compose(yaml: replaced)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) where duplicates.contains(where: { $0.contains(marker) }) {
            throw refusal(path: path, line: context.mark.line, column: context.mark.column)
        } catch {
            return  // the real compose reports syntax errors with the user's own text
        }
        if let root { try walk(root, path: path) }
    }

    private static func refusal(path: String, line: Int, column: Int) -> SuiteError {
        SuiteError(file: path, line: line, column: column,
                   message: "an alias (*name) is used inside a mapping key; aliases may only be used as values")
    }

    private static func walk(_ node: Node, path: String) throws {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                if contains(key) {
                    throw refusal(path: path, line: key.mark?.line ?? 1, column: key.mark?.column ?? 1)
                }
                try walk(value, path: path)
            }
        case .sequence(let sequence):
            for element in sequence { try walk(element, path: path) }
        case .scalar, .alias:
            break
        }
    }

    private static func contains(_ node: Node) -> Bool {
        switch node {
        case .scalar(let scalar): return scalar.string.contains(marker)
        case .mapping(let mapping): return mapping.contains { contains($0.key) || contains($0.value) }
        case .sequence(let sequence): return sequence.contains(where: contains)
        case .alias: return false
        }
    }

    /// The text with each alias token (`*name` where a token starts, outside quotes and
    /// comments) replaced by a quoted placeholder; nil when there is none.
    static func replacingAliases(in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var found = false
        var quote: Unicode.Scalar? = nil
        var comment = false
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\n" { comment = false; out.append(c); i += 1; continue }  // quoted scalars may span lines
            if comment { out.append(c); i += 1; continue }
            if let q = quote {
                if c == q { quote = nil }
                out.append(c); i += 1; continue
            }
            let previous: Unicode.Scalar = i > 0 ? scalars[i - 1] : "\n"
            let tokenStart = previous == " " || previous == "\t" || previous == "\n" || previous == "[" || previous == "{" || previous == ","
            switch c {
            case "#" where tokenStart: comment = true
            case "\"" where tokenStart, "'" where tokenStart: quote = c
            case "*" where tokenStart:
                var j = i + 1
                var name = ""
                while j < scalars.count, !" \t\n\r,[]{}".unicodeScalars.contains(scalars[j]) {
                    name.unicodeScalars.append(scalars[j]); j += 1
                }
                if !name.isEmpty {
                    // A trailing ':' belongs to the key indicator in "*a: 1".
                    let trimmed = name.hasSuffix(":") ? String(name.dropLast()) : name
                    out.append(contentsOf: "\"\(marker)\(trimmed)\"".unicodeScalars)
                    if trimmed != name { out.append(":") }
                    found = true
                    i = j
                    continue
                }
            default: break
            }
            out.append(c); i += 1
        }
        return found ? String(out) : nil
    }
}
