/// The keys every HTTP endpoint of a suite takes alike (an `openai` model, a `reward` or `prm`
/// verifier): how its API key is found and which headers it sends.
extension YAMLCursor {
    /// `api_key_env`: the name of the environment variable that holds the API key (letters,
    /// digits and '_', not starting with a digit). The key itself never stands in a suite.
    ///
    /// ```swift
    /// if let k = m.optional("api_key_env") { p.apiKeyEnv = try k.environmentVariableName() }
    /// ```
    func environmentVariableName() throws -> String {
        let name = try string()
        guard name.unicodeScalars.allSatisfy({ $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }),
              !(name.first?.isNumber ?? true) else {
            throw error("'\(pathString)' must name an environment variable (letters, digits, '_'), found '\(name.prefix(40))'; put the key itself in that variable, never in the suite")
        }
        return name
    }

    /// `extra_headers`: header names to values, sent with every request. An `Authorization`
    /// header is refused: the API key goes through `api_key_env`.
    func extraHeaders() throws -> [String: String] {
        var headers: [String: String] = [:]
        for entry in try mapping(what: "a mapping of header names to values") {
            if entry.key.lowercased() == "authorization" {
                throw entry.keyCursor.error("'\(pathString).\(entry.key)': pass the API key through 'api_key_env', not in the suite")
            }
            headers[entry.key] = try entry.value.string(nonEmpty: false)
        }
        return headers
    }
}
