import TTSCore
import TTSSuite
import Foundation
import Synchronization
import TTSModels

/// A one-line progress display on a terminal: seed runs, items, samples/s and ETA.
/// Silent when stderr is not a TTY or when asked to be quiet.
public final class Progress: Sendable {
    private struct State {
        var seedRuns = 0
        var seedRunsDone = 0
        var items = 0
        var itemsDone = 0
        var started = ContinuousClock.now
        var lastDraw = ContinuousClock.now
        var label = ""
        var samples = 0
        var failed = 0
        var lastError = ""
    }
    private let state = Mutex(State())
    private let enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func samplesGenerated(_ count: Int) {
        state.withLock { $0.samples += count }
    }

    public func setLabel(_ label: String) {
        state.withLock { $0.label = label }
    }

    func begin(seedRuns: Int, items: Int) {
        state.withLock {
            $0.seedRuns = seedRuns
            $0.seedRunsDone = 0
            $0.items = items
            $0.itemsDone = 0
            $0.samples = 0
            $0.started = .now
        }
    }

    func itemFinished() {
        guard enabled else { return }
        let line: String? = state.withLock { s in
            s.itemsDone += 1
            let now = ContinuousClock.now
            guard now - s.lastDraw > .milliseconds(200) || s.itemsDone == s.items else { return nil }
            s.lastDraw = now
            return render(s, now: now)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// An item a failed request left unfinished: counted, and its cause shown on the line.
    func itemFailed(_ failure: RequestFailure) {
        state.withLock { s in
            s.failed += 1
            s.lastError = "\(failure.model): \(failure.cause.rawValue)"
        }
    }

    func seedRunFinished() {
        state.withLock { $0.seedRunsDone += 1 }
    }

    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func render(_ s: State, now: ContinuousClock.Instant) -> String {
        let elapsed = max(0.001, Double((now - s.started).components.attoseconds) / 1e18 + Double((now - s.started).components.seconds))
        let rate = Double(s.itemsDone) / elapsed
        let eta = rate > 0 ? Double(s.items - s.itemsDone) / rate : 0
        let samples = s.samples
        let label = s.label.isEmpty ? "" : s.label + "  "
        let failures = s.failed == 0 ? "" : "  failed \(s.failed) (last: \(s.lastError))"
        return String(format: "\r\u{1B}[K%@seed runs %d/%d  items %d/%d  %.0f samples/s  ETA %@%@",
                      label, s.seedRunsDone, s.seedRuns, s.itemsDone, s.items, Double(samples) / elapsed, formatDuration(eta), failures)
    }
}

func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
}
