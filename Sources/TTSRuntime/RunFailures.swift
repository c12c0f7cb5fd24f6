import TTSCore
import TTSSuite
import TTSModels

/// A model's endpoint failed in a way only the user can fix before it ever answered (refused,
/// host not found, 401/403/404, a model the server does not serve), or every request of a long
/// stretch failed: the run stops at once. Its description is the one line the user sees.
public struct EndpointDownError: Error, CustomStringConvertible, Sendable {
    public var failure: RequestFailure
    public var description: String { failure.stopLine }
}

/// An item of a seed run that a failed request left unfinished.
public struct UnfinishedItem: Sendable, Equatable {
    public var system: String
    public var model: String
    public var url: String
    public var cause: FailureCause
    public var message: String
}

/// The run generated what it could, but some items are unfinished: their seed runs were not
/// committed (nor handed to the test), and a run of the same command retries only them.
public struct IncompleteRunError: Error, CustomStringConvertible, Sendable {
    public var items: [UnfinishedItem]
    /// Seed runs left uncommitted.
    public var seedRuns: Int

    public init(items: [UnfinishedItem], seedRuns: Int) {
        self.items = items
        self.seedRuns = seedRuns
    }

    /// Failures by model and cause, most frequent first: "model 'm' at URL: 12 × server error (HTTP 5xx) (last: ...)".
    public var summaryLines: [String] {
        struct Key: Hashable { var model: String; var url: String; var cause: FailureCause }
        var counts: [Key: (count: Int, last: String)] = [:]
        for item in items {
            let key = Key(model: item.model, url: item.url, cause: item.cause)
            counts[key] = ((counts[key]?.count ?? 0) + 1, item.message)
        }
        return counts.sorted { a, b in
            a.value.count != b.value.count ? a.value.count > b.value.count
                : (a.key.model, a.key.cause) < (b.key.model, b.key.cause)
        }.map { key, value in
            "  model '\(key.model)' at \(key.url): \(value.count) × \(key.cause.rawValue) (last: \(value.last))"
        }
    }

    public var description: String {
        "\(items.count) item\(items.count == 1 ? "" : "s") of \(seedRuns) seed run\(seedRuns == 1 ? "" : "s") unfinished: "
            + "a request failed for good, and failed requests are not scored.\n"
            + summaryLines.joined(separator: "\n")
            + "\nEverything else is recorded. Run the same command again to retry them."
    }
}
