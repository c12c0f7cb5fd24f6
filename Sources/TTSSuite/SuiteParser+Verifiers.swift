import TTSCore
import Foundation
import Yams

extension SuiteParser {
    // MARK: verifiers

    /// Each verifier: its kind (one of `VerifierKinds.all`), whose parser reads the rest.
    func parseVerifiers(_ c: YAMLCursor) throws -> [VerifierSpec] {
        let entries = try c.mapping(what: "a mapping of verifier names to verifiers")
        guard !entries.isEmpty else { throw c.error("'verifiers' must define at least one verifier") }
        let names = VerifierKinds.names
        let expected = names.dropLast().joined(separator: ", ") + " or " + names.last!
        return try entries.map { entry in
            let name = try entry.keyCursor.identifier()
            let v = entry.value
            let kind = try v.required("kind", expected: expected).oneOf(names)
            return VerifierSpec(name: name, kind: try VerifierKinds.named(kind)!.parse(v, parser: self))
        }
    }
}
