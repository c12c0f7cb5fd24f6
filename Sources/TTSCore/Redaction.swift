import Foundation

/// Removes credentials from text that is stored or shown: user info in URLs
/// (`https://user:secret@host` → `https://***@host`) and the values of query parameters whose
/// name says they are secret (`?api_key=...`, `token`, `secret`, `password`, `key`, `sig`).
/// API keys themselves are never read into anything stored; this catches the ones a user wrote
/// into a suite file's URLs.
public enum Redaction {
    public static func credentials(in text: String) -> String {
        var out = text
        // scheme://userinfo@  →  scheme://***@
        out = out.replacingOccurrences(of: #"([A-Za-z][A-Za-z0-9+.\-]*://)[^/@\s"'?#]+@"#, with: "$1***@",
                                       options: .regularExpression)
        // ?name=value or &name=value with a secret-looking name
        out = out.replacingOccurrences(
            of: #"([?&](?:[A-Za-z0-9_\-]*(?:key|token|secret|password|passwd|sig|signature|auth)[A-Za-z0-9_\-]*)=)[^&\s"'#]*"#,
            with: "$1***", options: [.regularExpression, .caseInsensitive])
        return out
    }
}
