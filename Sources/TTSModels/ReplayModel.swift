import TTSCore
import TTSSeams
import TTSSuite
import Foundation

/// A `kind: replay` model: serves completions recorded earlier instead of calling a model, so
/// an expensive sample pool can be re-analysed with other strategies offline.
///
/// A replay model takes the fingerprint of the model it replays, so a suite with the same seed,
/// task, prompt and decoding limits derives the same per-sample request seeds; each request is
/// then answered with the recorded sample of the same (item, temperature, request seed).
/// Requests with no recorded sample fail (recorded as failed samples, never invented).
///
/// Imported repeats (a JSONL file with `sample_index` lines, written by `ttsbench import`) are
/// served by position instead: sample `i` of seed index `s` is the item's repeat
/// `s * repeatsPerSeed + i` at the request's temperature. A request past the imported repeats
/// stops the run with a ``ReplayExhaustedError`` (unless `reuseRepeats`, which wraps around).
public struct ReplayModel: ModelClient {
    public let name: String
    let lookup: @Sendable (String, Double, UInt64) throws -> Completion?
    let repeats: [ReplayFile.RepeatKey: [Int: ReplayFile.Sample]]
    let repeatsPerSeed: Int?
    let reuseRepeats: Bool

    /// `openDatabase` opens a replayed database (`source: database`); the runtime hands in the
    /// store's reader.
    public init(name: String, parameters: ReplayModelParameters,
                openDatabase: (String) throws -> any RecordedSamples) throws {
        self.name = name
        repeatsPerSeed = parameters.repeatsPerSeed
        reuseRepeats = parameters.reuseRepeats
        switch parameters.source {
        case .database(let path, _, _):
            repeats = [:]
            let recorded: any RecordedSamples
            do { recorded = try openDatabase(path) } catch {
                throw ModelError(model: name, message: "cannot open the replay database \(parameters.shownPath): \(error)")
            }
            lookup = { item, temperature, seed in
                try recorded.completion(itemID: item, temperature: temperature, requestSeed: seed)
            }
        case .jsonl(let path):
            let file: ReplayFile
            do { file = try ReplayFile.load(path: path, shownAs: parameters.shownPath, format: parameters.format) } catch {
                throw ModelError(model: name, message: error.description)
            }
            repeats = file.repeats
            lookup = { item, temperature, seed in
                file.samples[ReplayFile.Key(item: item, temperature: temperature, seed: seed)].map(Self.served)
            }
        }
    }

    public func generate(_ request: GenerationRequest) async throws -> [Completion] {
        guard let context = request.context else {
            throw ModelError(model: name, message: "a replay model needs the item of the request")
        }
        let n = max(1, request.n)
        if !repeats.isEmpty, let perSeed = repeatsPerSeed {
            return try importedRepeats(context: context, temperature: request.temperature, n: n, perSeed: perSeed)
        }
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

extension ReplayModel {
    /// Serves sample `i` of seed index `s` from the item's imported repeat `s * perSeed + i`.
    func importedRepeats(context: ItemContext, temperature: Double, n: Int, perSeed: Int) throws -> [Completion] {
        let item = context.item.id
        guard let seedIndex = context.seedIndex, let indices = context.sampleIndices, indices.count == n else {
            throw ReplayExhaustedError(message: "model '\(name)': imported repeats answer fresh samples only; item \(item) was asked something else "
                + "(a fusion, refinement or budget-forcing call), which the imported log has no answer to")
        }
        guard let pool = repeats[ReplayFile.RepeatKey(item: item, temperature: temperature)] else {
            let temperatures = Set(repeats.keys.filter { $0.item == item }.map(\.temperature)).sorted()
            throw ReplayExhaustedError(message: "model '\(name)': no imported repeats of item \(item) at temperature \(temperature)"
                + (temperatures.isEmpty ? " (the import has no such item)" : "; imported at temperature \(temperatures.map { "\($0)" }.joined(separator: ", "))"))
        }
        return try indices.map { i in
            guard i < perSeed else {
                throw ReplayExhaustedError(message: "model '\(name)': a strategy asks for sample \(i) of a seed but repeats_per_seed is \(perSeed); "
                    + "raise repeats_per_seed to at least \(i + 1) (fewer seeds then fit in the import)")
            }
            var r = seedIndex * perSeed + i
            if r >= pool.count {
                guard reuseRepeats else {
                    throw ReplayExhaustedError(message: "model '\(name)': item \(item) has \(pool.count) imported repeats at temperature \(temperature), "
                        + "enough for \(pool.count / perSeed) seeds of \(perSeed); seed index \(seedIndex) needs repeat \(r). "
                        + "Run fewer seeds (--seeds, or compare.group_size × max_interims), lower repeats_per_seed, import more repeats, or set reuse_repeats: true "
                        + "(later seeds then reuse earlier samples and are not independent)")
                }
                r %= pool.count
            }
            return Self.served(pool[r]!)
        }
    }
}

/// A replay of imported repeats cannot answer a request (more samples than were imported, or a
/// call other than a fresh sample): the run stops (a gap scored as a wrong answer would bias
/// every estimate).
public struct ReplayExhaustedError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

extension ReplayModel {
    /// A recorded sample as it is served: no request sent, marked cached. Imported logs keep the
    /// thinking in a field (Inspect) or inline (lm-eval): both are split.
    static func served(_ s: ReplayFile.Sample) -> Completion {
        var c = Completion(text: s.text, finishReason: s.finishReason, promptTokens: s.promptTokens,
                           completionTokens: s.completionTokens, latencyMs: s.latencyMs)
        c.attempts = 0
        c.cached = true
        c.applyReasoning(field: s.reasoning, serverTokens: nil, options: ReasoningOptions())
        return c
    }
}
