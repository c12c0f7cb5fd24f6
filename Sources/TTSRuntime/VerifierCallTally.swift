import Synchronization
import TTSSeams

/// The verifier calls made while one item is solved: the runner binds a fresh tally around
/// `Strategy.solve` (`VerifierCallTally.$current`), and `RecordedVerifierClient` adds every
/// judge call made inside it, so the item's outcome carries what its verification spent
/// whichever task of the strategy called the verifier.
///
/// ```swift
/// let tally = VerifierCallTally()
/// let outcome = try await VerifierCallTally.$current.withValue(tally) { try await strategy.solve(context) }
/// tally.usage.calls   // judge calls of this item
/// ```
final class VerifierCallTally: Sendable {
    @TaskLocal static var current: VerifierCallTally? = nil

    private let state = Mutex(CallUsage())

    var usage: CallUsage { state.withLock { $0 } }

    func add(_ completion: Completion, usd: Double?) {
        state.withLock { $0.add(completion, usd: usd) }
    }
}
