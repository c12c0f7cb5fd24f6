import TTSCore
import TTSSuite
import TTSSeams
/// Refinement, in two forms.
///
/// **Sequential** (`mode: sequential`): a draft (pooled sample 0), then `rounds` rounds in which
/// the model sees the task, its previous completion (as its own assistant turn) and
/// `RefineParameters.refineInstruction` ("review ... correct it ... final answer in \boxed{}"),
/// and writes a new completion. The answer of the last round that gave one is the answer.
///
/// **Parallel-Distill-Refine** (`mode: parallel`): `drafts` drafts (pooled samples 0..<k); then
/// per round the current candidates are distilled into a bounded workspace of at most
/// `workspace` characters, and the model, shown the task, `distillInstruction` and the
/// workspace, writes k new candidates (the last round writes one, the answer). Distillation is
/// extractive and done by the harness, so it is deterministic and exactly bounded: the tally of
/// answers reached ("\boxed{42}: 3 of 4 attempts", most votes first) and the end of the shortest
/// trace that reached the leading answer, cut to fit.
///
/// Cost: the pooled drafts plus every refinement call, all counted (the refinement calls'
/// prompt tokens include the previous completion or the workspace).
public struct RefineStrategy: Strategy {
    public var parameters: RefineParameters
    public var temperature: Double
    public var maxTokens: Int

    public init(parameters: RefineParameters, temperature: Double, maxTokens: Int = 2048) {
        self.parameters = parameters
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    public func solve(_ context: StrategyContext) async throws -> Outcome {
        switch parameters.mode {
        case .sequential: try await sequential(context)
        case .parallel: try await parallel(context)
        }
    }

    // MARK: sequential

    func sequential(_ context: StrategyContext) async throws -> Outcome {
        let drafts = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<1)
        var current = drafts[0]
        if let error = current.error {
            return Outcome(answer: nil, correct: false, samples: drafts, detail: "draft failed: \(error)")
        }
        var calls: [Sample] = []
        var trail = [current.answer ?? "∅"]
        let task = context.source.messages(for: context.item)
        for round in 1...parameters.rounds {
            let messages = task + [ChatMessage(role: "assistant", content: current.completion?.text ?? ""),
                                   ChatMessage(role: "user", content: RefineParameters.refineInstruction)]
            let call = AuxiliaryCall(tag: "refine-\(round)", messages: messages, temperature: temperature, maxTokens: maxTokens,
                                     purpose: .refine(previous: [current.answer]))
            let refined = try await context.source.auxiliary(call, for: context.item)
            calls.append(refined)
            if refined.error == nil, refined.answer != nil {
                current = refined
                trail.append(refined.answer!)
            } else {
                trail.append(refined.error == nil ? "∅(kept)" : "failed(kept)")
            }
        }
        return try await finish(context, answer: current.answer, samples: drafts + calls,
                                how: "rounds: " + trail.joined(separator: " → "))
    }

    // MARK: parallel (PDR)

    func parallel(_ context: StrategyContext) async throws -> Outcome {
        let drafts = try await context.source.samples(for: context.item, temperature: temperature, indices: 0..<parameters.drafts)
        var candidates = drafts.filter { $0.error == nil }
        var calls: [Sample] = []
        var final: Sample?
        var trail: [String] = []
        var path = CriticalPath()
        path.parallel(drafts)
        let task = context.source.messages(for: context.item)
        for round in 1...parameters.rounds {
            let (workspace, visible) = Self.distill(candidates, limit: parameters.workspace, key: context.verifier.votingKey)
            trail.append("round \(round): workspace \(workspace.count) chars, \(visible.count) answers visible")
            let last = round == parameters.rounds
            let prompt = (task.last?.content ?? "") + "\n\n" + RefineParameters.distillInstruction + "\n\n" + workspace
            var next: [Sample] = []
            for j in 0..<(last ? 1 : parameters.drafts) {
                let call = AuxiliaryCall(tag: last ? "pdr-\(round)-final" : "pdr-\(round)-\(j)",
                                         messages: Array(task.dropLast()) + [ChatMessage(role: "user", content: prompt)],
                                         temperature: temperature, maxTokens: maxTokens, purpose: .refine(previous: visible))
                let s = try await context.source.auxiliary(call, for: context.item)
                calls.append(s)
                if s.error == nil { next.append(s) }
                if last { final = s }
            }
            path.parallel(Array(calls.suffix(last ? 1 : parameters.drafts)))
            if !next.isEmpty { candidates = next }
        }
        var answer = final?.answer
        var how = trail.joined(separator: "; ")
        if answer == nil, let top = MajorityStrategy.vote(candidates, key: context.verifier.votingKey) {
            answer = top.0
            how += "; the refined answer had none, kept the workspace's leading answer"
        }
        var outcome = try await finish(context, answer: answer, samples: drafts + calls, how: how)
        outcome.sequentialTokens = path.tokens  // the calls of one round run side by side
        return outcome
    }

    /// The extractive workspace of a set of candidates, at most `limit` characters, and the
    /// answers it shows (with multiplicity), which is what a reader of it sees.
    static func distill(_ candidates: [Sample], limit: Int, key: (String) -> String) -> (text: String, visible: [String?]) {
        var tally: [String: (count: Int, first: Int, answer: String)] = [:]
        var none = 0
        for (i, s) in candidates.enumerated() {
            guard let a = s.answer else { none += 1; continue }
            let k = key(a)
            if let t = tally[k] { tally[k] = (t.count + 1, t.first, t.answer) } else { tally[k] = (1, i, a) }
        }
        let ranked = tally.values.sorted { ($0.count, -$0.first) > ($1.count, -$1.first) }
        var text = "Answers reached by \(candidates.count) attempts:"
        var visible: [String?] = []
        for entry in ranked {
            let line = "\n- \\boxed{\(entry.answer)}: \(entry.count) of \(candidates.count) attempts"
            guard text.count + line.count <= limit else { break }
            text += line
            visible += Array(repeating: entry.answer, count: entry.count)
        }
        if none > 0 {
            let line = "\n- no final answer: \(none) of \(candidates.count) attempts"
            if text.count + line.count <= limit { text += line }
        }
        if let lead = ranked.first {
            let support = candidates.filter { $0.answer.map(key) == key(lead.answer) }
            if let shortest = support.min(by: { ($0.completion?.completionTokens ?? 0, $0.sampleIndex) < ($1.completion?.completionTokens ?? 0, $1.sampleIndex) }),
               let trace = shortest.completion?.text {
                let header = "\n\nExcerpt of an attempt that reached \\boxed{\(lead.answer)}:\n"
                let room = limit - text.count - header.count
                if room >= 40 { text += header + FusionStrategy.clip(trace, to: room) }
            }
        }
        return (String(text.prefix(limit)), visible)
    }

    func finish(_ context: StrategyContext, answer: String?, samples: [Sample], how: String) async throws -> Outcome {
        guard let answer else {
            return Outcome(answer: nil, correct: false, samples: samples, detail: "\(how); no answer")
        }
        let verdict = try await context.verifier.verify(Candidate(text: answer, answer: answer), item: context.item)
        return Outcome(answer: answer, correct: verdict.correct ?? false, samples: samples, detail: "\(how); \(verdict.detail)")
    }
}

extension RefineStrategy: StrategyMaker {
    public init(_ kind: RefineKind, spec: StrategySpec) {
        self.init(parameters: kind.parameters, temperature: spec.temperature, maxTokens: spec.maxTokens)
    }
}
