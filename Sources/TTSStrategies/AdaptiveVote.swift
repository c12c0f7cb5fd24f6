import AdaStop
import TTSCore
import TTSSuite
import TTSSeams
import Foundation

/// The reading loop the adaptive votes share (`adaptive_consistency`, `esc`,
/// `confidence_consistency`): read pooled samples 0, 1, 2, ... round by round (a round's samples
/// in parallel) until the stopping rule fires or `maxN` samples are read. The samples are the
/// pool's prefix, the very samples `majority` at the same temperature reads, so adaptive and
/// fixed-N systems on one model share them.
///
/// ```swift
/// let vote = AdaptiveVote(stopping: AdaptiveStopping(rule: .beta(threshold: 0.95), maxN: 16), temperature: 0.8)
/// let reading = try await vote.read(context)        // reading.samples: the prefix read
/// ```
struct AdaptiveVote: Sendable {
    var stopping: AdaptiveStopping
    var temperature: Double

    /// What was read for one item.
    struct Reading {
        var samples: [Sample]
        var rounds: Int
        /// Per round, the longest completion, summed.
        var path: CriticalPath
        /// Stopped before `maxN`.
        var early: Bool
        /// The posterior the rule compared with its threshold at the end (nil for ESC).
        var probability: Double?
        /// Confidence weight per sample read (nil: unweighted, or the sample gave no answer).
        var weights: [Double?]
    }

    /// Reads the pool until the rule fires. With `weight`, each answered sample's vote counts its
    /// confidence relative to the mean confidence of the answered samples so far (equal
    /// confidences give the unweighted counts): `ConfidenceTally`, which the leaderboard's curves
    /// of the rule share.
    func read(_ context: StrategyContext, weight: ((Sample) async throws -> Double)? = nil) async throws -> Reading {
        let key = context.verifier.votingKey
        var reading = Reading(samples: [], rounds: 0, path: CriticalPath(), early: false, probability: nil, weights: [])
        var tally = ConfidenceTally<String>(weighted: weight != nil)
        while reading.samples.count < stopping.maxN {
            let start = reading.samples.count
            let round = try await context.source.samples(for: context.item, temperature: temperature,
                                                         indices: start..<min(start + stopping.roundSize, stopping.maxN))
            reading.samples += round
            reading.rounds += 1
            reading.path.parallel(round)
            var roundKeys: Set<String> = []
            var roundAnswered = true
            for sample in round {
                guard sample.error == nil, let answer = sample.answer else {
                    roundAnswered = false
                    reading.weights.append(nil)
                    continue
                }
                let k = key(answer)
                roundKeys.insert(k)
                let w = try await weight?(sample)
                reading.weights.append(tally.add(k, weight: w))
            }
            let votes = tally.votes
            reading.probability = stopping.leaderProbability(votes: votes)
            if stopping.shouldStop(read: reading.samples.count, votes: votes,
                                   lastRoundUnanimous: roundAnswered && roundKeys.count == 1 && !round.isEmpty) {
                break
            }
        }
        reading.early = reading.samples.count < stopping.maxN
        return reading
    }

    /// The outcome of a reading whose answer is `answer` (nil: no sample answered): the samples
    /// read are counted (calls, tokens), with the rounds and their critical path.
    func outcome(_ reading: Reading, answer: String?, how: String, context: StrategyContext) async throws -> Outcome {
        let read = "\(reading.early ? "stopped" : "read all") \(reading.samples.count)/\(stopping.maxN) samples in \(reading.rounds) round\(reading.rounds == 1 ? "" : "s")"
            + (reading.probability.map { " (P(leader) \(String(format: "%.3f", $0)))" } ?? "")
        var outcome: Outcome
        if let answer {
            let verdict = try await context.verifier.verify(Candidate(text: answer, answer: answer), item: context.item)
            outcome = Outcome(answer: answer, correct: verdict.correct ?? false, samples: reading.samples,
                              detail: "\(read); \(how); \(verdict.detail)")
        } else {
            outcome = Outcome(answer: nil, correct: false, samples: reading.samples, detail: "\(read); no sample gave an answer")
        }
        outcome.earlyExit = reading.early
        outcome.rounds = reading.rounds
        outcome.sequentialTokens = reading.path.tokens
        return outcome
    }
}
