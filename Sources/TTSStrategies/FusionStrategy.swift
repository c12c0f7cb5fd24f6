import TTSCore
import TTSSeams
import TTSSuite
/// Fusion-of-N: n candidates from the pool, shown in a seeded random order to a fuser model
/// that writes one final answer; the system's verifier scores that answer.
///
/// The fuser is the system's own model (self-fusion) unless `fuser` names another model of the
/// suite. The prompt is `FusionParameters.defaultPrompt` unless the suite gives `prompt`; its
/// placeholders are `{question}` (the item's question), `{candidates}` (the candidates, each as
/// "Candidate i:" and its completion, cut to its last `max_candidate_chars` characters) and
/// `{n}`. The order is a permutation drawn from (suite seed, item, seed index), recorded in the
/// outcome's detail as the sample indices in the order shown. Failed samples are not shown.
///
/// Cost: the n pooled generations plus the one fuser call, all counted in calls and tokens
/// (the fuser's prompt tokens include every candidate it reads).
public struct FusionStrategy: Strategy {
    public var parameters: FusionParameters
    public var temperature: Double
    public var maxTokens: Int

    public init(parameters: FusionParameters, temperature: Double, maxTokens: Int = 2048) {
        self.parameters = parameters
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    /// The order in which the candidates are shown: a permutation of 0..<n.
    public static func order(n: Int, suiteSeed: UInt64, item: String, seedIndex: Int) -> [Int] {
        var rng = SplitMix64("fusion-order", suiteSeed, item, seedIndex, n)
        var order = Array(0..<n)
        for k in stride(from: n - 1, to: 0, by: -1) { order.swapAt(k, Int(rng.next() % UInt64(k + 1))) }
        return order
    }

    /// The fuser's prompt for the candidates in the order shown.
    public func prompt(question: String, shown: [Sample]) -> String {
        let candidates = shown.enumerated().map { i, s in
            "Candidate \(i + 1):\n" + Self.clip(s.completion?.text ?? "", to: parameters.maxCandidateChars)
        }.joined(separator: "\n\n")
        return fillTemplate(parameters.prompt, ["question": question, "candidates": candidates, "n": String(shown.count)])
    }

    static func clip(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return "…" + String(text.suffix(limit - 1))
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let samples = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<parameters.n)
        let order = Self.order(n: samples.count, suiteSeed: context.suiteSeed, item: context.item.id, seedIndex: context.seedIndex)
        let shown = order.map { samples[$0] }.filter { $0.error == nil && $0.completion != nil }
        let orderText = "order [" + shown.map { String($0.sampleIndex) }.joined(separator: ",") + "]"
        guard !shown.isEmpty else {
            return Outcome(answer: nil, correct: false, samples: samples, detail: "\(orderText); every candidate failed, nothing to fuse")
        }
        let call = AuxiliaryCall(model: parameters.fuser, tag: "fuse",
                                 messages: [ChatMessage(role: "user", content: prompt(question: context.item.question, shown: shown))],
                                 temperature: parameters.fuserTemperature, maxTokens: maxTokens,
                                 purpose: .fuse(candidates: shown.map(\.answer)))
        let fused = try await context.source.auxiliary(call, for: context.item)
        let fuserName = parameters.fuser ?? "self"
        guard fused.error == nil, let answer = fused.answer else {
            let why = fused.error.map { "fuser call failed: \($0)" } ?? "the fuser gave no answer"
            return Outcome(answer: nil, correct: false, samples: samples + [fused], detail: "\(orderText); fuser \(fuserName); \(why)")
        }
        let key = context.verifier.votingKey
        let support = shown.filter { $0.answer.map(key) == key(answer) }.count
        let verdict = try await context.verifier.verify(Candidate(text: fused.completion?.text ?? answer, answer: answer), item: context.item)
        return Outcome(answer: answer, correct: verdict.correct ?? false, samples: samples + [fused],
                       detail: "\(orderText); fuser \(fuserName); fused answer given by \(support)/\(shown.count) candidates; \(verdict.detail)")
    }
}

extension FusionStrategy: StrategyMaker {
    public init(_ kind: FusionKind, spec: StrategySpec) {
        self.init(parameters: kind.parameters, temperature: spec.temperature, maxTokens: spec.maxTokens)
    }
}
