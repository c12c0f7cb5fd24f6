import Foundation

/// Escaping and bounding of everything a page shows. Model outputs are hostile: every text goes
/// through `escape` (no markup survives), and long texts through `clip` (a page never carries
/// more than `limit` characters of one text; the rest is a link away).
enum HTML {
    /// Text safe inside an element or a double-quoted attribute.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// The first `limit` characters of `text`, and how many characters were left out.
    static func clip(_ text: String, limit: Int) -> (shown: String, omitted: Int) {
        guard let end = text.index(text.startIndex, offsetBy: limit, limitedBy: text.endIndex), end < text.endIndex else {
            return (text, 0)
        }
        return (String(text[..<end]), text.distance(from: end, to: text.endIndex))
    }

    /// A number with `digits` decimals.
    static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    /// A URL path segment: everything but unreserved characters percent-encoded (a "/" in a
    /// system name stays inside its segment).
    static func segment(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A file name for an exported page: the readable part of `s` and a digest that keeps
    /// names apart.
    static func slug(_ s: String) -> String {
        let readable = String(s.unicodeScalars.prefix(40).map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "_" })
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return readable + "-" + String(h & 0xffff_ffff, radix: 16)
    }
}
