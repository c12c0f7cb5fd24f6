import TTSSeams

/// The generated tokens on a strategy's critical path: what a user waits for when every call
/// that can run in parallel does.
///
/// A strategy's calls form stages: the calls of one stage run side by side (N parallel
/// samples, the candidates of one refinement round), and a stage starts when the one before
/// it has finished (a fuser call after its candidates, the next round, the next search step).
/// The critical path is the sum over stages of the longest call in each:
///
/// ```swift
/// var path = CriticalPath()
/// path.parallel(drafts)          // k drafts at once: the longest counts
/// path.parallel([fused])         // then one call that read them all
/// outcome.sequentialTokens = path.tokens
/// ```
///
/// Completion tokens are counted (decoding is sequential; a prompt is read in parallel), so
/// the figure never exceeds the outcome's total tokens.
public struct CriticalPath: Sendable, Hashable {
    public private(set) var tokens = 0

    public init() {}

    /// Adds one stage of calls that run in parallel: the longest of them.
    public mutating func parallel(_ calls: [Sample]) {
        tokens += calls.map { $0.completion?.completionTokens ?? 0 }.max() ?? 0
    }

    /// Adds a stage whose length is known (e.g. the k-th call to finish when the others are cancelled).
    public mutating func add(_ completionTokens: Int) {
        tokens += max(0, completionTokens)
    }
}
