import TTSCore
import TTSSuite

/// The simulated backend's step-level solutions, with a latent "on track" state.
///
/// A solution of an item has `SimulatedSteps.count(item)` steps (3 to 6, from the item id). Every
/// step but the last states an intermediate result ("the partial result is 4817"); the last
/// states the answer in `\boxed{}`. A solution is on track while every stated result is the
/// item's own (`SimulatedSteps.partialResult`) and its answer, if any, is the reference. Each new
/// step of an on-track solution stays on track with probability q = p^(1/L), where p is the
/// model's probability of a correct sample at the call's temperature and L the step count, so a
/// solution written step by step is right as often as a pooled sample; a broken solution stays
/// broken (a wrong step makes the final answer wrong). Broken steps run longer (×1.35), like
/// wrong traces. The state is read back from the text, so another model or a later call sees
/// the same state; the simulated PRM (`SimulatedPRMVerifier`) reads it the same way.
public enum SimulatedSteps {
    /// Steps of a full solution of `item`: 3 to 6.
    public static func count(_ item: TaskItem) -> Int {
        var rng = SplitMix64("solution-steps", item.id)
        return 3 + Int(rng.next() % 4)
    }

    /// The intermediate result an on-track solution states after step `k` (1-based).
    public static func partialResult(_ item: TaskItem, step k: Int) -> Int {
        var rng = SplitMix64("partial-result", item.id, k)
        return 1000 + Int(rng.next() % 9000)
    }

    static let marker = "the partial result is "

    /// The result a step states, if it states one.
    static func statedResult(_ step: String) -> Int? {
        guard let range = step.range(of: marker) else { return nil }
        return Int(step[range.upperBound...].prefix { $0.isNumber || $0 == "-" })
    }

    /// Whether each step keeps the solution on track, given the steps before it: a stated
    /// intermediate result must be the item's own at that step, a boxed answer the reference.
    /// Once broken, every later step is off track.
    public static func onTrack(_ steps: [String], item: TaskItem) -> [Bool] {
        var out: [Bool] = []
        var ok = true
        let reference = AnswerNormalizer.basic(item.answer)
        for (i, step) in steps.enumerated() {
            if let r = statedResult(step), r != partialResult(item, step: i + 1) { ok = false }
            if let a = AnswerExtractor.extract(step, mode: .boxed), AnswerNormalizer.basic(a) != reference { ok = false }
            out.append(ok)
        }
        return out
    }
}

extension SimulatedModel {
    /// The next step of a partial solution (or, `toEnd`, every step left), as a server stopping
    /// at the delimiter would return it: without the delimiter.
    func step(prefix: [String], toEnd: Bool, item: TaskItem, temperature: Double, maxTokens: Int, stop: [String], seed: UInt64,
              promptTokens: Int) -> Completion {
        var rng = SplitMix64(seed: seed)
        // Greedy decoding: the draws depend on the model, the item and the text so far.
        var greedy = SplitMix64("greedy-step", fingerprint, item.id, prefix.joined(separator: "\u{1}"))
        let total = SimulatedSteps.count(item)
        let p = min(max(correctProbability(item: item, temperature: temperature), 1e-9), 1)
        let q = pow(p, 1 / Double(total))
        var onTrack = SimulatedSteps.onTrack(prefix, item: item).last ?? true
        let separator = stop.first ?? StepSearchParameters.defaultDelimiter
        var depth = prefix.count
        var steps: [String] = []
        var tokens = 0
        while true {
            let u = temperature == 0 ? greedy.uniform() : rng.uniform()
            if onTrack && u >= q { onTrack = false }
            let final = depth + 1 >= total
            let phrase = TraceWriter.steps[Int(rng.next() % UInt64(TraceWriter.steps.count))]
            var text = "Step \(depth + 1): \(phrase)"
            if final {
                let answer = onTrack ? item.answer : freshWrongAnswer(item: item, temperature: temperature, rng: &rng)
                text += " " + TraceWriter.closers[Int(rng.next() % UInt64(TraceWriter.closers.count))] + " $\\boxed{\(answer)}$."
            } else {
                var stated = SimulatedSteps.partialResult(item, step: depth + 1)
                if !onTrack {
                    var slip = 1 + Int(rng.next() % 97)
                    if rng.uniform() < 0.5 { slip = -slip }
                    stated += slip
                }
                text += " So " + SimulatedSteps.marker + "\(stated)."
            }
            steps.append(text)
            let median = parameters.meanTokens / Double(total) * (onTrack ? 1 : 1.35)
            tokens += max(4, Int((median * exp(0.35 * rng.normal())).rounded()))
            depth += 1
            if final || !toEnd { break }
        }
        var text = steps.joined(separator: separator)
        var finish = "stop"
        if tokens > maxTokens {
            tokens = maxTokens
            finish = "length"
            text = String(text.prefix(max(1, text.count / 2)))
            if let cut = text.range(of: "\\boxed") { text = String(text[..<cut.lowerBound]) }
        }
        let latency = 40 + Double(tokens) * parameters.msPerToken * exp(0.15 * rng.normal())
        return Completion(text: text, finishReason: finish, promptTokens: promptTokens, completionTokens: tokens,
                          latencyMs: (latency * 1000).rounded() / 1000, responseID: nil)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
