import TTSCore
import TTSSuite
import TTSSeams
import Foundation

/// One partial or finished solution of a step-level search: its steps, their PRM scores, and its
/// place in the search tree.
public struct SearchPath: Sendable, Hashable {
    public var steps: [String]
    /// The PRM's score of each step (as many as `steps`).
    public var scores: [Double]
    /// It stated its answer, was cut at `max_tokens`, wrote an empty step, or reached `max_steps`.
    public var finished: Bool
    /// The answer read from the whole solution by the task's extraction (finished paths).
    public var answer: String?
    /// The replica index of each step among the calls that continued the same prefix: the path
    /// through the tree ("0.3.1").
    public var route: [Int]

    static let root = SearchPath(steps: [], scores: [], finished: false, answer: nil, route: [])

    public var routeText: String { route.map(String.init).joined(separator: ".") }
}

/// The step calls and PRM scoring shared by `beam_search`, `dvts` and `particle_filtering`.
///
/// **Step calls.** Continuing a path is an auxiliary call (`SampleSource.auxiliary`): the task
/// prompt, then, unless the path is empty, an assistant message holding the steps so far, each
/// followed by the delimiter, which the server continues (the completions API appends it to
/// the prompt; the chat API needs assistant-prefix continuation, see `ModelSpec.continuation`).
/// The call stops at the delimiter, except at step `max_steps`, which is generated to the end.
/// Its tag is `step<depth>-<replica>`, where the replica counts the calls of this search step
/// that continue the same text, so its id (tag and a digest of the request) and its request seed
/// depend only on the text so far and the replica: the same prefix continued twice gives two
/// different continuations, a search run again (or resumed) gives the same ones, read back from
/// the record, and two searches that reach the same prefix share the call.
///
/// **Scores.** Every new path is scored by the PRM (`ProcessRewardModel.stepScores` on all its
/// steps) and ranked by the aggregate of its step scores (`aggregation`).
struct StepSearch {
    let search: StepSearchParameters
    let temperature: Double
    let maxTokens: Int
    let context: StrategyContext
    let prm: any ProcessRewardModel

    init(search: StepSearchParameters, temperature: Double, maxTokens: Int, context: StrategyContext) throws {
        self.search = search
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.context = context
        guard let scorer = context.scorers[search.prm] else {
            throw StrategyError(message: "the process reward verifier '\(search.prm)' is not among the suite's verifiers")
        }
        guard let prm = scorer as? any ProcessRewardModel else {
            throw StrategyError(message: "verifier '\(search.prm)' does not score steps (kind: prm or simulated_prm)")
        }
        self.prm = prm
    }

    /// The aggregate PRM score of a path.
    func score(_ path: SearchPath) -> Double { search.aggregation.aggregate(path.scores) }

    /// The step call that continues `path` (replica `replica` among this step's calls on the same text).
    func call(continuing path: SearchPath, replica: Int) -> AuxiliaryCall {
        let depth = path.steps.count
        let toEnd = depth + 1 >= search.maxSteps
        var messages = context.source.messages(for: context.item)
        if depth > 0 {
            messages.append(ChatMessage(role: "assistant", content: path.steps.map { $0 + search.delimiter }.joined()))
        }
        return AuxiliaryCall(tag: "step\(depth + 1)-\(replica)", messages: messages, temperature: temperature, maxTokens: maxTokens,
                             stop: toEnd ? [] : [search.delimiter], purpose: .step(prefix: path.steps, toEnd: toEnd))
    }

    /// One search step: continues `parents[i]` `counts[i]` times, concurrently. Returns, per
    /// parent, its scored children in replica order (failed calls give none) and every call made,
    /// in request order (the outcome counts them all).
    func expand(_ parents: [SearchPath], counts: [Int]) async throws -> (children: [[SearchPath]], calls: [Sample]) {
        var requests: [(parent: Int, path: SearchPath, call: AuxiliaryCall, replica: Int)] = []
        var seen: [[String]: Int] = [:]
        for (i, parent) in parents.enumerated() {
            for _ in 0..<counts[i] {
                let replica = seen[parent.steps, default: 0]
                seen[parent.steps] = replica + 1
                requests.append((i, parent, call(continuing: parent, replica: replica), replica))
            }
        }
        let source = context.source, item = context.item
        let results: [(Sample, SearchPath?)] = try await withThrowingTaskGroup(of: (Int, Sample, SearchPath?).self) { group in
            for (k, r) in requests.enumerated() {
                group.addTask { [self] in
                    let sample = try await source.auxiliary(r.call, for: item)
                    guard sample.error == nil, let completion = sample.completion else { return (k, sample, nil) }
                    let child = try await self.child(of: r.path, completion: completion, replica: r.replica)
                    return (k, sample, child)
                }
            }
            var out = [(Sample, SearchPath?)?](repeating: nil, count: requests.count)
            for try await (k, sample, child) in group { out[k] = (sample, child) }
            return out.map { $0! }
        }
        var children = [[SearchPath]](repeating: [], count: parents.count)
        for (k, r) in requests.enumerated() {
            if let child = results[k].1 { children[r.parent].append(child) }
        }
        return (children, results.map(\.0))
    }

    /// The path `parent` continued by `completion`, scored by the PRM.
    func child(of parent: SearchPath, completion: Completion, replica: Int) async throws -> SearchPath {
        let toEnd = parent.steps.count + 1 >= search.maxSteps
        var new = toEnd ? completion.text.components(separatedBy: search.delimiter).filter { !$0.trimmingSpaces.isEmpty } : [completion.text]
        if new.isEmpty { new = [completion.text] }
        var path = parent
        path.steps += new
        path.route.append(replica)
        let last = new.last!
        path.finished = toEnd || completion.finishReason == "length" || last.trimmingSpaces.isEmpty || last.contains(search.finalMarker)
        if path.finished { path.answer = context.source.extractAnswer(path.steps.joined(separator: search.delimiter)) }
        path.scores = try await prm.stepScores(path.steps, item: context.item)
        guard path.scores.count == path.steps.count else {
            throw StrategyError(message: "the PRM '\(search.prm)' gave \(path.scores.count) scores for \(path.steps.count) steps")
        }
        return path
    }

    /// Indices of `paths` from the best aggregate score down (ties: the earlier path first).
    func ranking(_ paths: [SearchPath]) -> [Int] {
        paths.indices.sorted { a, b in
            let (x, y) = (score(paths[a]), score(paths[b]))
            return x != y ? x > y : a < b
        }
    }

    /// The outcome of a search: the best finished path by the PRM is the answer, scored by the
    /// system's verifier; every step call counts. Completions and "no answer" count the finished
    /// paths (the solutions the search produced), not the steps. `path` is the critical path: the
    /// calls of one search step run side by side and the next step waits for them, so sequential
    /// tokens are the sum over search steps of the longest step call.
    func finish(_ finished: [SearchPath], calls: [Sample], path: CriticalPath, steps: Int, how: String) async throws -> Outcome {
        let what = "\(how); \(steps) search steps, \(calls.count) step calls, \(finished.count) finished"
        let unanswered = finished.filter { $0.answer == nil }
        func counted(_ o: Outcome) -> Outcome {
            var o = o
            o.completions = finished.count
            o.noAnswer = unanswered.count
            o.noAnswerText = unanswered.first.map { String($0.steps.joined(separator: search.delimiter).prefix(Outcome.noAnswerTextLimit)) }
            o.sequentialTokens = path.tokens
            return o
        }
        guard let best = ranking(finished).first.map({ finished[$0] }) else {
            return counted(Outcome(answer: nil, correct: false, samples: calls, detail: "\(what); no finished solution"))
        }
        let reward = score(best)
        let chosen = "best \(search.aggregation.rawValue) PRM \(Verdict.rewardText(reward)) at path \(best.routeText)"
        guard let answer = best.answer else {
            return counted(Outcome(answer: nil, correct: false, reward: reward, samples: calls, detail: "\(what); \(chosen); no answer"))
        }
        let text = best.steps.joined(separator: search.delimiter)
        let verdict = try await context.verifier.verify(Candidate(text: text, answer: answer), item: context.item)
        return counted(Outcome(answer: answer, correct: verdict.correct ?? false, reward: reward, samples: calls,
                               detail: "\(what); \(chosen); \(verdict.detail)"))
    }
}
