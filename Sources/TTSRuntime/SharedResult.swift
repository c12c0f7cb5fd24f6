import Synchronization

/// A result that one task produces and any number of tasks wait for, without an unstructured
/// `Task` or an actor: the producer calls `fulfill` once; `value` suspends until then.
///
/// ```swift
/// let shared = SharedResult<[Sample]>()
/// // producer: shared.fulfill(.success(samples))
/// // others:   let samples = try await shared.value
/// ```
final class SharedResult<T: Sendable>: Sendable {
    private enum State {
        case pending([CheckedContinuation<T, any Error>])
        case done(Result<T, any Error>)
    }
    private let state = Mutex<State>(.pending([]))

    /// Sets the result (the first call wins) and resumes every waiter.
    func fulfill(_ result: Result<T, any Error>) {
        let waiters: [CheckedContinuation<T, any Error>] = state.withLock { s in
            guard case .pending(let waiting) = s else { return [] }
            s = .done(result)
            return waiting
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// The result, once it is set.
    var value: T {
        get async throws {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
                let ready: Result<T, any Error>? = state.withLock { s in
                    switch s {
                    case .pending(var waiting):
                        waiting.append(c)
                        s = .pending(waiting)
                        return nil
                    case .done(let result):
                        return result
                    }
                }
                if let ready { c.resume(with: ready) }
            }
        }
    }
}
