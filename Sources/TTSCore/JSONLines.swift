import Foundation

/// The lines of a JSONL file that hold something, with their 1-based line numbers (for
/// `FILE:LINE` errors). Blank lines (spaces, tabs, a CR) are skipped but still counted.
///
/// ```swift
/// for (number, line) in JSONLines.nonBlank(data) {
///     guard let value = JSONValue.parse(line) else { throw ... "\(file):\(number): not JSON" }
/// }
/// ```
public enum JSONLines {
    public static func nonBlank(_ data: Data) -> [(number: Int, line: Data.SubSequence)] {
        var out: [(number: Int, line: Data.SubSequence)] = []
        for (i, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
            out.append((i + 1, line))
        }
        return out
    }
}
