import TTSCore
import TTSSeams
import TTSSuite
import Foundation

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
