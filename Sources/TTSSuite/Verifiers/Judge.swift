import TTSCore

/// `kind: judge`: LLM-as-judge: `model` (a model of the suite) grades the candidate; `prompt`
/// overrides `JudgeVerifier.defaultPrompt` (see `JudgeVerifier`).
public struct JudgeKind: ParsableVerifierKind, Equatable {
    public static let name = "judge"
    public static let fingerprintTag = "judge"

    public var model: String
    public var prompt: String?
    public init(model: String, prompt: String? = nil) {
        self.model = model
        self.prompt = prompt
    }

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [(model, 1)] }
    public var endpointCallsPerVerification: EndpointCalls? { nil }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        _ = try v.mapping(allowed: ["kind", "model", "prompt"])
        let modelCursor = try v.required("model", expected: "the name of a model of the suite that judges")
        let model = try modelCursor.identifier()
        // Models are parsed before verifiers; the reference is checked against their names.
        let modelNames = (parser.root.optional("models").flatMap { try? $0.mapping() } ?? []).map(\.key)
        guard modelNames.contains(model) else {
            let suggestion = closest(model, in: modelNames).map { " (did you mean '\($0)'?)" } ?? ""
            throw modelCursor.error("'\(modelCursor.pathString)' names an unknown model '\(model)'\(suggestion); the models are: \(modelNames.joined(separator: ", "))")
        }
        var prompt: String? = nil
        if let p = v.optional("prompt") {
            let text = try p.string()
            guard text.contains("{response}") || text.contains("{answer}") else {
                throw p.error("'\(p.pathString)' must show the candidate: include {response} (the completion) or {answer} (the extracted answer)")
            }
            prompt = text
        }
        return Self(model: model, prompt: prompt)
    }

    public var referencedModels: [String] { [model] }
}
