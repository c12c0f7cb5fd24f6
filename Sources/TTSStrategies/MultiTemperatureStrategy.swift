import TTSCore
import TTSSuite
import TTSSeams
/// Multi-temperature voting: the sample budget `n` is spread over several temperatures (split
/// evenly, the remainder to the lowest), and the vote has two stages: a majority within each
/// temperature, then a vote across the per-temperature winners.
///
/// Samples are drawn in rounds: first `min_per_temp` at every temperature, then one more at
/// every temperature that still has budget. After each round, while budget remains, the item
/// exits early when every temperature's winner holds at least `tau_intra` of that temperature's
/// samples and at least `tau_cross` of the temperatures agree on one winner; that winner is the
/// answer. When the budget runs out, `final_rule` decides: `pooled` (majority over all samples;
/// ties to the lowest temperature's winner) or `two_stage` (the cross-temperature vote).
///
/// Samples come from the pool per temperature, so they are the same samples that `single` and
/// `majority` read at that temperature. Only the samples drawn are counted (calls, tokens).
public struct MultiTemperatureStrategy: Strategy {
    public var parameters: MultiTemperatureParameters

    public init(parameters: MultiTemperatureParameters) {
        var p = parameters
        p.temperatures.sort()
        self.parameters = p
    }

    struct TemperatureVote {
        var temperature: Double
        var drawn: Int
        var winner: String?
        var votes: Int
        var share: Double { drawn == 0 ? 0 : Double(votes) / Double(drawn) }
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        let temps = parameters.temperatures
        let allocation = parameters.allocation
        let minPer = temps.indices.map { min(parameters.minPerTemperature, allocation[$0]) }
        var drawn = [[Sample]](repeating: [], count: temps.count)
        let key = context.verifier.votingKey

        // Each draw is one stage of the critical path: its samples, across temperatures, run side by side.
        var path = CriticalPath()
        func draw(upTo targets: [Int]) async throws {
            var stage: [Sample] = []
            for t in temps.indices where targets[t] > drawn[t].count {
                let new = try await context.source.samples(for: context.item, temperature: temps[t],
                                                            indices: drawn[t].count..<targets[t])
                drawn[t] += new
                stage += new
            }
            path.parallel(stage)
        }

        try await draw(upTo: minPer)
        var earlyExit = false
        var votes: [TemperatureVote] = []
        while true {
            votes = temps.indices.map { t in
                let v = MajorityStrategy.vote(drawn[t], key: key)
                return TemperatureVote(temperature: temps[t], drawn: drawn[t].count, winner: v?.0, votes: v?.1 ?? 0)
            }
            let used = drawn.reduce(0) { $0 + $1.count }
            let exhausted = temps.indices.allSatisfy { drawn[$0].count >= allocation[$0] }
            if !exhausted, temps.indices.allSatisfy({ drawn[$0].count >= minPer[$0] }),
               votes.allSatisfy({ $0.winner != nil && $0.share >= parameters.tauIntra }),
               let cross = Self.crossVote(votes, key: key), Double(cross.count) / Double(temps.count) >= parameters.tauCross {
                earlyExit = used < parameters.n
                break
            }
            if exhausted { break }
            try await draw(upTo: temps.indices.map { min(allocation[$0], drawn[$0].count + 1) })
        }

        let all = drawn.flatMap { $0 }
        let used = all.count
        let perTemperature = votes.map { v in
            "T=\(shortNumber(v.temperature)): " + (v.winner.map { "'\($0)' \(v.votes)/\(v.drawn)" } ?? "none/\(v.drawn)")
        }.joined(separator: ", ")
        let answer: String?
        let how: String
        if earlyExit {
            let cross = Self.crossVote(votes, key: key)!
            answer = cross.answer
            how = "early exit after \(used)/\(parameters.n) samples; \(cross.count)/\(temps.count) temperatures agree"
        } else {
            switch parameters.finalRule {
            case .twoStage:
                let cross = Self.crossVote(votes, key: key)
                answer = cross?.answer
                how = "budget spent (\(used)/\(parameters.n) samples); two-stage vote, \(cross?.count ?? 0)/\(temps.count) temperatures agree"
            case .pooled:
                let pooled = Self.pooledVote(drawn, winners: votes.map(\.winner), key: key)
                answer = pooled?.answer
                how = "budget spent (\(used)/\(parameters.n) samples); pooled majority \(pooled?.votes ?? 0)/\(used)"
            }
        }
        guard let answer else {
            var outcome = Outcome(answer: nil, correct: false, samples: all, detail: "\(how); no sample gave an answer [\(perTemperature)]")
            outcome.earlyExit = earlyExit
            outcome.sequentialTokens = path.tokens
            return outcome
        }
        let verdict = try await context.verifier.verify(Candidate(text: answer, answer: answer), item: context.item)
        var outcome = Outcome(answer: answer, correct: verdict.correct ?? false, samples: all,
                              detail: "\(how) [\(perTemperature)]; \(verdict.detail)")
        outcome.earlyExit = earlyExit
        outcome.sequentialTokens = path.tokens
        return outcome
    }

    /// The vote across per-temperature winners (in ascending temperature order): the winner
    /// named by the most temperatures; ties go to the lowest temperature's winner.
    static func crossVote(_ votes: [TemperatureVote], key: (String) -> String) -> (answer: String, count: Int)? {
        var tally: [String: (count: Int, first: Int, answer: String)] = [:]
        for (i, v) in votes.enumerated() {
            guard let w = v.winner else { continue }
            let k = key(w)
            if let t = tally[k] { tally[k] = (t.count + 1, t.first, t.answer) } else { tally[k] = (1, i, w) }
        }
        guard let best = tally.values.max(by: { ($0.count, -$0.first) < ($1.count, -$1.first) }) else { return nil }
        return (best.answer, best.count)
    }

    /// Majority over all samples pooled. Ties go to the lowest temperature's winner among the
    /// tied answers, then to the earliest first vote (temperatures ascending, then sample index).
    static func pooledVote(_ drawn: [[Sample]], winners: [String?], key: (String) -> String) -> (answer: String, votes: Int)? {
        var tally: [String: (count: Int, first: Int, answer: String)] = [:]
        var position = 0
        for samples in drawn {
            for s in samples {
                defer { position += 1 }
                guard s.error == nil, let a = s.answer else { continue }
                let k = key(a)
                if let t = tally[k] { tally[k] = (t.count + 1, t.first, t.answer) } else { tally[k] = (1, position, a) }
            }
        }
        guard let top = tally.values.map(\.count).max() else { return nil }
        let tied = tally.filter { $0.value.count == top }
        for w in winners {
            if let w, let entry = tied[key(w)] { return (entry.answer, entry.count) }
        }
        let best = tied.values.min { $0.first < $1.first }!
        return (best.answer, best.count)
    }
}

extension MultiTemperatureStrategy: StrategyMaker {
    public init(_ kind: MultiTemperatureKind, spec: StrategySpec) { self.init(parameters: kind.parameters) }
}
