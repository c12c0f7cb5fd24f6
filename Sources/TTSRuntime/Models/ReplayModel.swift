import TTSCore
import TTSStore
import TTSSuite
import Foundation

/// A `kind: replay` model: serves completions recorded earlier instead of calling a model, so
/// an expensive sample pool can be re-analysed with other strategies offline.
///
/// A replay model takes the fingerprint of the model it replays, so a suite with the same seed,
/// task, prompt and decoding limits derives the same per-sample request seeds; each request is
/// then answered with the recorded sample of the same (item, temperature, request seed).
/// Requests with no recorded sample fail (recorded as failed samples, never invented).
public struct ReplayModel: ModelClient {
    public let name: String
    let lookup: @Sendable (String, Double, UInt64) throws -> Completion?

    public init(name: String, parameters: ReplayModelParameters) throws {
        self.name = name
        switch parameters.source {
        case .database(let path, _, _):
            let reader: StoreReader
            do { reader = try StoreReader(path: path) } catch {
                throw ModelError(model: name, message: "cannot open the replay database \(parameters.shownPath): \(error)")
            }
            lookup = { item, temperature, seed in
                guard let s = try reader.sample(itemID: item, temperature: temperature, requestSeed: seed), let text = s.text else {
                    return nil
                }
                var c = Completion(text: text, finishReason: s.finishReason ?? "", promptTokens: s.promptTokens ?? 0,
                                   completionTokens: s.completionTokens ?? 0, latencyMs: s.latencyMs ?? 0,
                                   tokensEstimated: s.tokensEstimated)
                c.attempts = 0
                c.cached = true
                return c
            }
        case .jsonl(let path):
            let file: ReplayFile
            do { file = try ReplayFile.read(path: path, shownAs: parameters.shownPath) } catch {
                throw ModelError(model: name, message: error.description)
            }
            lookup = { item, temperature, seed in
                guard let s = file.samples[ReplayFile.Key(item: item, temperature: temperature, seed: seed)] else { return nil }
                var c = Completion(text: s.text, finishReason: s.finishReason, promptTokens: s.promptTokens,
                                   completionTokens: s.completionTokens, latencyMs: s.latencyMs)
                c.attempts = 0
                c.cached = true
                return c
            }
        }
    }

    public func generate(_ request: GenerationRequest) async throws -> [Completion] {
        guard let context = request.context else {
            throw ModelError(model: name, message: "a replay model needs the item of the request")
        }
        let n = max(1, request.n)
        let seeds = context.sampleSeeds.count == n ? context.sampleSeeds : (0..<n).map { request.seed &+ UInt64($0) }
        var out: [Completion?] = []
        var errors: [String?] = []
        for seed in seeds {
            let c = try lookup(context.item.id, request.temperature, seed)
            out.append(c)
            errors.append(c == nil ? "model '\(name)': no recorded sample for item \(context.item.id) at temperature \(request.temperature) with request seed \(seed)" : nil)
        }
        if errors.contains(where: { $0 != nil }) {
            throw PartialGenerationError(model: name, completions: out, errors: errors)
        }
        return out.map { $0! }
    }
}
