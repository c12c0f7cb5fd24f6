/// The keys every HTTP endpoint of a suite takes alike (an `openai` model, a `reward` or `prm`
/// verifier): how its API key is found, which headers it sends and what its calls cost.
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

    /// `price_per_million: {input, output}`: USD per million prompt (input) and completion
    /// (output) tokens, each a number from 0 to 1e6, 0 when left out.
    ///
    /// ```swift
    /// if let c = m.optional("price_per_million") { (p.pricePerMillionInput, p.pricePerMillionOutput) = try c.pricePerMillion() }
    /// ```
    func pricePerMillion() throws -> (input: Double, output: Double) {
        _ = try mapping(allowed: ["input", "output"], what: "a mapping {input, output} in USD per million tokens")
        return (try optional("input").map { try $0.double(min: 0, max: 1e6) } ?? 0,
                try optional("output").map { try $0.double(min: 0, max: 1e6) } ?? 0)
    }
}
