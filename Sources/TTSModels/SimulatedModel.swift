import TTSCore
import TTSSuite
import TTSSeams
/// The built-in simulated backend: a stand-in LLM population with known ground truth.
///
/// Per-sample correctness follows an item-response model with an item × temperature
/// interaction; wrong answers come from a per-item set of distractors whose spread grows with
/// temperature; completions look like real reasoning traces ending in `\boxed{...}`; token
/// counts and latencies come from plausible distributions and are recorded, never slept.
/// Every draw derives from the request seed (itself derived from stable identifiers).
public struct SimulatedModel: ModelClient {
    public let name: String
    public let parameters: SimulatedModelParameters
    public let fingerprint: String

    public init(name: String, parameters: SimulatedModelParameters, fingerprint: String) {
        self.name = name
        self.parameters = parameters
        self.fingerprint = fingerprint
    }

    public func generate(_ request: GenerationRequest) async throws -> [Completion] {
        guard let context = request.context else {
            throw ModelError(model: name, message: "the simulated backend needs the item context of the request")
        }
        let promptChars = request.messages.reduce(0) { $0 + $1.content.utf8.count }
        let seeds = context.sampleSeeds.count == request.n ? context.sampleSeeds
            : (0..<request.n).map { request.seed &+ UInt64($0) }
        if case .step(let prefix, let toEnd) = context.purpose {
            return seeds.map { step(prefix: prefix, toEnd: toEnd, item: context.item, temperature: request.temperature,
                                    maxTokens: request.maxTokens, stop: request.stop, seed: $0, promptTokens: max(1, promptChars / 4)) }
        }
        if context.purpose != .generate {
            return seeds.map { auxiliary(context.purpose, item: context.item, temperature: request.temperature,
                                         maxTokens: request.maxTokens, seed: $0, promptTokens: max(1, promptChars / 4)) }
        }
        return seeds.map { sample(item: context.item, temperature: request.temperature, maxTokens: request.maxTokens,
                                  seed: $0, promptTokens: max(1, promptChars / 4)) }
    }

    // MARK: the item-response model

    /// Probability that one sample at temperature `t` is correct.
    public func correctProbability(item: TaskItem, temperature t: Double) -> Double {
        let traits = ItemTraits(item)
        let logit = 1.2 * (parameters.ability - traits.difficulty)
            + traits.temperatureSlope * (t - 0.5)
            - 0.8 * max(0, t - 1) * max(0, t - 1)
        return logistic(logit)
    }

    func sample(item: TaskItem, temperature: Double, maxTokens: Int, seed: UInt64, promptTokens: Int) -> Completion {
        var rng = SplitMix64(seed: seed)
        let p = correctProbability(item: item, temperature: temperature)
        // Greedy decoding is deterministic: the draw depends on the model and item only.
        let u: Double
        if temperature == 0 {
            var greedy = SplitMix64("greedy", fingerprint, item.id)
            u = greedy.uniform()
        } else {
            u = rng.uniform()
        }
        let correct = u < p
        let traits = ItemTraits(item)

        // A small share of traces ramble past the budget and never state an answer; more at high T.
        let truncated = temperature > 0 && rng.uniform() < 0.01 + 0.02 * temperature

        let answer: String
        if correct {
            answer = item.answer
        } else if temperature > 0 && rng.uniform() < min(0.6, 0.25 * temperature) {
            answer = Distractors.random(for: item, rng: &rng)
        } else {
            // Popular wrong answers: concentrated on the first distractor at low temperature,
            // spread over all of them at high temperature.
            let d = parameters.distractors
            let spread = 0.15 + temperature
            var weights = (0..<d).map { exp(-Double($0) * 1.5 / spread) }
            // Items differ in how attractive their top distractor is.
            weights[0] *= traits.distractorPull
            let total = weights.reduce(0, +)
            var wrongPick = SplitMix64("greedy-wrong", fingerprint, item.id)
            var r = (temperature == 0 ? wrongPick.uniform() : rng.uniform()) * total
            var j = 0
            while j < d - 1 && r >= weights[j] { r -= weights[j]; j += 1 }
            answer = Distractors.distractor(j, for: item)
        }

        let median = parameters.meanTokens * (correct ? 1 : 1.35)
        var tokens = Int((median * exp(0.35 * rng.normal())).rounded())
        tokens = max(8, tokens)
        var finish = "stop"
        var text = TraceWriter.trace(question: item.question, answer: answer, rng: &rng)
        if truncated || tokens > maxTokens {
            tokens = maxTokens
            finish = "length"
            text = TraceWriter.truncated(question: item.question, rng: &rng)
        }
        let latency = 40 + Double(tokens) * parameters.msPerToken * exp(0.15 * rng.normal())
        return Completion(text: text, finishReason: finish, promptTokens: promptTokens, completionTokens: tokens,
                          latencyMs: (latency * 1000).rounded() / 1000, responseID: nil)
    }
}

// MARK: fuser, refiner, continued traces

extension SimulatedModel {
    /// A call that is not a fresh sample: the model fuses candidates, refines earlier answers,
    /// continues a trace after "Wait", or states its final answer when cut at the budget.
    ///
    /// Each is a re-solve whose log-odds of being right are the model's own, log(p/(1−p)) with
    /// p = `correctProbability(item, T)`, shifted by the evidence in context:
    /// - fuse: +4·(share of correct candidates) − 3·(share of the most popular wrong answer);
    ///   so more correct candidates help, a popular wrong answer leads astray, and an able
    ///   fuser can be right when no candidate is;
    /// - refine: +2.5·(share correct) − 1.5·(share of the top wrong answer): a wrong answer is
    ///   fixed with some probability that grows with ability, a right one is sometimes broken;
    /// - continue ("Wait"): +3 when the trace had the right answer, −2 when it had a wrong one;
    /// - conclude (cut at the budget): −0.5 (a rushed answer).
    /// A wrong result repeats a wrong answer in context (weighted by its count squared) or,
    /// sometimes, makes a fresh slip. At temperature 0 the draw depends only on the model, the
    /// item and the content in context, as greedy decoding would.
    func auxiliary(_ purpose: ItemContext.Purpose, item: TaskItem, temperature: Double, maxTokens: Int, seed: UInt64,
                   promptTokens: Int) -> Completion {
        var rng = SplitMix64(seed: seed)
        let u: Double
        if temperature == 0 {
            var greedy = SplitMix64("greedy-aux", fingerprint, item.id, "\(purpose)")
            u = greedy.uniform()
        } else {
            u = rng.uniform()
        }
        let p = min(max(correctProbability(item: item, temperature: temperature), 1e-6), 1 - 1e-6)
        let own = log(p / (1 - p))
        let reference = AnswerNormalizer.basic(item.answer)
        func right(_ a: String?) -> Bool { a.map { AnswerNormalizer.basic($0) == reference } ?? false }

        // The evidence in context: answers shown, the share right, and the wrong clusters.
        let shown: [String?]
        switch purpose {
        case .fuse(let c): shown = c
        case .refine(let previous): shown = previous
        case .continue(let previous): shown = [previous]
        case .generate, .conclude, .step: shown = []
        }
        let m = Double(max(1, shown.count))
        let correctShare = Double(shown.filter { right($0) }.count) / m
        var wrong: [(answer: String, count: Int)] = []
        for case let a? in shown where !right(a) {
            if let i = wrong.firstIndex(where: { AnswerNormalizer.basic($0.answer) == AnswerNormalizer.basic(a) }) {
                wrong[i].count += 1
            } else {
                wrong.append((a, 1))
            }
        }
        let topWrongShare = Double(wrong.map(\.count).max() ?? 0) / m

        let logit: Double
        let lengthScale: Double
        switch purpose {
        case .generate, .step:
            logit = own; lengthScale = 1
        case .fuse:
            logit = own + 4 * correctShare - 3 * topWrongShare; lengthScale = 0.6
        case .refine:
            logit = own + 2.5 * correctShare - 1.5 * topWrongShare; lengthScale = 0.7
        case .continue:
            logit = own + (correctShare > 0 ? 3 : 0) - (topWrongShare > 0 ? 2 : 0); lengthScale = 0.4
        case .conclude:
            logit = own - 0.5; lengthScale = 0
        }
        let correct = u < logistic(logit)

        let answer: String
        if correct {
            answer = item.answer
        } else {
            // Repeat a wrong answer in context (popular ones more), or make a fresh slip.
            let keep: Double = if case .continue = purpose { 3 } else { 1 }
            var weights = wrong.map { keep * Double($0.count * $0.count) }
            weights.append(0.5)
            var r = rng.uniform() * weights.reduce(0, +)
            var j = 0
            while j < weights.count - 1 && r >= weights[j] { r -= weights[j]; j += 1 }
            answer = j < wrong.count ? wrong[j].answer : freshWrongAnswer(item: item, temperature: temperature, rng: &rng)
        }

        if case .conclude = purpose {
            // The assistant's text ends in "$\boxed{": complete it.
            let full = answer + "}$."
            let needed = 2 + answer.count / 3
            if needed > maxTokens {
                return Completion(text: String(full.prefix(maxTokens * 3)), finishReason: "length", promptTokens: promptTokens,
                                  completionTokens: maxTokens, latencyMs: 40 + Double(maxTokens) * parameters.msPerToken)
            }
            return Completion(text: full, finishReason: "stop", promptTokens: promptTokens, completionTokens: needed,
                              latencyMs: 40 + Double(needed) * parameters.msPerToken)
        }

        let median = parameters.meanTokens * lengthScale * (correct ? 1 : 1.35)
        var tokens = max(8, Int((median * exp(0.35 * rng.normal())).rounded()))
        var finish = "stop"
        var text = TraceWriter.auxiliary(purpose, answer: answer, shown: shown.count, rng: &rng)
        if tokens > maxTokens {
            tokens = maxTokens
            finish = "length"
            text = TraceWriter.truncated(question: "", rng: &rng)
        }
        let latency = 40 + Double(tokens) * parameters.msPerToken * exp(0.15 * rng.normal())
        return Completion(text: text, finishReason: finish, promptTokens: promptTokens, completionTokens: tokens,
                          latencyMs: (latency * 1000).rounded() / 1000, responseID: nil)
    }

    /// A wrong answer of the model's own: a distractor, popular ones more so at low temperature.
    func freshWrongAnswer(item: TaskItem, temperature: Double, rng: inout SplitMix64) -> String {
        let traits = ItemTraits(item)
        let d = parameters.distractors
        let spread = 0.15 + temperature
        var weights = (0..<d).map { exp(-Double($0) * 1.5 / spread) }
        weights[0] *= traits.distractorPull
        var r = rng.uniform() * weights.reduce(0, +)
        var j = 0
        while j < d - 1 && r >= weights[j] { r -= weights[j]; j += 1 }
        return Distractors.distractor(j, for: item)
    }
}

extension TraceWriter {
    static func auxiliary(_ purpose: ItemContext.Purpose, answer: String, shown: Int, rng: inout SplitMix64) -> String {
        var text: String
        switch purpose {
        case .fuse:
            text = "I compare the \(shown) candidate solutions and check each step.\n\n"
        case .refine:
            text = shown > 1 ? "Using the summary of the earlier attempts, I solve the problem again.\n\n"
                : "Let me review the previous solution carefully.\n\n"
        case .continue:
            text = ", let me double-check that.\n\n"
        case .generate, .conclude, .step:
            text = ""
        }
        let count = 1 + Int(rng.next() % 3)
        for k in 0..<count { text += "Check \(k + 1): " + steps[Int(rng.next() % UInt64(steps.count))] + "\n" }
        return text + "\n" + closers[Int(rng.next() % UInt64(closers.count))] + " $\\boxed{\(answer)}$."
    }
}

/// Per-item latent traits, derived from the item id.
struct ItemTraits {
    var difficulty: Double
    var temperatureSlope: Double
    var distractorPull: Double

    init(_ item: TaskItem) {
        var rng = SplitMix64("item-traits", item.id)
        let base = item.difficulty ?? rng.normal()
        difficulty = base + (item.difficulty == nil ? 0 : 0.6 * rng.normal())
        temperatureSlope = 1.2 * rng.normal()
        distractorPull = exp(0.8 * rng.normal())
    }
}

enum Distractors {
    /// The j-th plausible wrong answer of an item: a perturbation of the reference.
    static func distractor(_ j: Int, for item: TaskItem) -> String {
        var rng = SplitMix64("distractor", item.id, j)
        let answer = item.answer
        if let value = Int(answer) {
            // Distinct slips: off by one, a dropped carry, a digit error, a sign error.
            var offsets = [1, -1, 10, -10, 2, -2, 100, -100, 9, 11, -9, -11, 20, 5]
            var shuffle = SplitMix64("distractor-order", item.id)
            for k in stride(from: offsets.count - 1, to: 0, by: -1) {
                offsets.swapAt(k, Int(shuffle.next() % UInt64(k + 1)))
            }
            if j < offsets.count { return String(value + offsets[j]) }
            return String(value + 1000 * (j - offsets.count + 1))
        }
        // Non-integer answers: change one digit, or flip the sign.
        var scalars = Array(answer.unicodeScalars)
        let digitPositions = scalars.indices.filter { ("0"..."9").contains(scalars[$0]) }
        if !digitPositions.isEmpty {
            let pos = digitPositions[(j + Int(rng.next() % 7)) % digitPositions.count]
            let old = scalars[pos].value - 48
            let new = (old + 1 + UInt32(j % 9)) % 10
            scalars[pos] = Unicode.Scalar(48 + new)!
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            let s = String(view)
            return s == answer ? "-" + answer : s
        }
        return j % 2 == 0 ? "-" + answer : answer + "^\(j + 2)"
    }

    /// A one-off wrong answer (a slip that nobody else makes).
    static func random(for item: TaskItem, rng: inout SplitMix64) -> String {
        if let value = Int(item.answer) {
            let magnitude = max(10, abs(value))
            var wrong = value + Int(rng.next() % UInt64(2 * magnitude)) - magnitude
            if wrong == value { wrong += 7 }
            return String(wrong)
        }
        return distractor(Int(rng.next() % 40) + 10, for: item)
    }
}

/// Writes completion text shaped like a real chain of thought.
enum TraceWriter {
    static let openers = ["Let me work through this step by step.", "We need to find the value asked for.",
                          "Let's think about this carefully.", "First, restate the problem."]
    static let steps = ["Break the computation into smaller parts.", "Handle the ones digit first, then the tens.",
                        "Keep track of any carries.", "Check the intermediate result once more.",
                        "Combine the partial results.", "Simplify the expression.",
                        "Verify the sign of the result.", "Double-check by estimating the magnitude."]
    static let closers = ["Therefore, the final answer is", "So the answer is", "Hence the result is", "The answer is"]

    static func trace(question: String, answer: String, rng: inout SplitMix64) -> String {
        var text = openers[Int(rng.next() % UInt64(openers.count))] + "\n\n" + question + "\n\n"
        let count = 2 + Int(rng.next() % 3)
        for k in 0..<count { text += "Step \(k + 1): " + steps[Int(rng.next() % UInt64(steps.count))] + "\n" }
        text += "\n" + closers[Int(rng.next() % UInt64(closers.count))] + " $\\boxed{\(answer)}$."
        return text
    }

    static func truncated(question: String, rng: inout SplitMix64) -> String {
        var text = openers[Int(rng.next() % UInt64(openers.count))] + "\n\n" + question + "\n\n"
        for k in 0..<6 { text += "Step \(k + 1): " + steps[Int(rng.next() % UInt64(steps.count))] + "\n" }
        return text + "Wait, let me reconsider the"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
