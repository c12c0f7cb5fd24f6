import Foundation

/// Fingerprints: SHA-256 of canonical JSON (sorted keys, no insignificant space) of a value
/// together with the scheme's version.
///
/// A fingerprint names what determines a set of numbers (a model's behaviour, a system, a
/// pool); seed runs and samples are stored under it. Because it hashes an explicit encoding,
/// renaming a Swift type or reordering its fields changes nothing; a deliberate change of what
/// is hashed bumps `version`, and a database of another version is refused by the store with
/// a message naming both (never silently re-run).
///
/// ```swift
/// let fp = try Fingerprint.of(["model": modelFingerprint, "strategy": strategy])
/// ```
public enum Fingerprint {
    /// Version 1: ttsbench 0.2 (Swift's printing of enums). Version 2: canonical JSON.
    public static let version = 2

    /// The canonical JSON text of `value`.
    public static func canonicalJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            // Only non-finite doubles fail to encode; specs validate their ranges first.
            preconditionFailure("fingerprint: cannot encode \(T.self): \(error)")
        }
    }

    /// SHA-256 (hex) of `{"fingerprint_version": version, "value": value}` as canonical JSON.
    public static func of<T: Encodable>(_ value: T) -> String {
        SHA256.hex(canonicalJSON(Versioned(fingerprintVersion: version, value: value)))
    }

    private struct Versioned<V: Encodable>: Encodable {
        var fingerprintVersion: Int
        var value: V
        enum CodingKeys: String, CodingKey { case fingerprintVersion = "fingerprint_version", value }
    }
}
