@_exported import TestSupport
import Foundation
import Testing

// The shared fixtures (base suite, temp dirs, test servers, database helpers) live in the
// TestSupport target; this file adds the ones that need Swift Testing's traits.

/// Enables a test that needs `file` of the shared datasets: skipped (with this reason) without it,
/// unless `requireInputs`; the test itself then `#require`s the file.
func needsDataset(_ file: String) -> ConditionTrait {
    .enabled(if: datasetPresent(file) || requireInputs,
             Comment(rawValue: "\(datasetPath(file)) not found: needs ../shared/datasets beside the repository or TTSBENCH_DATASETS"))
}

/// Fails the test (it runs only when present or required) when dataset `file` is missing.
@discardableResult
func requireDataset(_ file: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let path = datasetPath(file)
    try #require(FileManager.default.fileExists(atPath: path),
                 "TTSBENCH_REQUIRE_INPUTS=1 but the dataset \(path) is missing", sourceLocation: sourceLocation)
    return path
}
