import Foundation
/// Replaces `{name}` placeholders in one pass (text inserted for one placeholder is never
/// scanned for another). Unknown `{...}` sequences are kept as they are.
public func fillTemplate(_ template: String, _ values: [String: String]) -> String {
    var out = ""
    var rest = template[...]
    while let open = rest.firstIndex(of: "{") {
        out += rest[..<open]
        let after = rest[rest.index(after: open)...]
        if let close = after.firstIndex(of: "}"), let value = values[String(after[..<close])] {
            out += value
            rest = after[after.index(after: close)...]
        } else {
            out += "{"
            rest = after
        }
    }
    return out + rest
}
