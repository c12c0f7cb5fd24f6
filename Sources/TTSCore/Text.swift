import Foundation

/// Small text helpers shared by every layer: fixed-point numbers, the shortest spelling of a
/// number, and "did you mean" suggestions. (JSON text: `JSONWriter`.)

/// `x` with `digits` digits after the point ("0.8360").
package func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

/// The shortest spelling of a number: "1" for 1.0, "0.8" for 0.8.
package func shortNumber(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e9 ? String(Int(x)) : String(x)
}

/// The allowed word closest to a misspelt one (edit distance at most 2), for "did you mean".
package func closest(_ word: String, in choices: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = prev
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
    guard word.count < 64 else { return nil }
    let w = Array(word.lowercased())
    let best = choices.map { ($0, distance(w, Array($0.lowercased()))) }.min { $0.1 < $1.1 }
    return best.flatMap { $0.1 <= 2 ? $0.0 : nil }
}
