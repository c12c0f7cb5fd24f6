import Foundation
import Synchronization

/// Polls `condition` every few milliseconds on a dedicated thread until it holds (true) or
/// `timeout` passes (false). The test's cooperative pool can be starved for seconds by other
/// CPU-bound tests on a 2-core machine; a thread of its own reacts in time.
public func pollOnThread(timeout: Duration = .seconds(60), _ condition: @escaping @Sendable () -> Bool) async -> Bool {
    await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        Thread {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if condition() { continuation.resume(returning: true); return }
                usleep(5_000)
            }
            continuation.resume(returning: false)
        }.start()
    }
}

/// A thread-safe tally for tests that watch concurrent tasks.
public final class Counter: Sendable {
    private let state = Mutex<(value: Int, values: [Int])>((0, []))
    public init() {}
    public var value: Int { state.withLock { $0.value } }
    public var values: [Int] { state.withLock { $0.values } }
    public func add(_ n: Int) { state.withLock { $0.value += n } }
    public func append(_ n: Int) { state.withLock { $0.values.append(n) } }
}

/// SplitMix64: a small deterministic generator for test inputs.
public struct TestRNG {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
