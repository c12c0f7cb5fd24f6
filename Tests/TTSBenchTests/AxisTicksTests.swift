@testable import TTSReport
import Foundation
import Testing

/// The HTML plots' tick labels are exact and distinct: a step of 0.05 prints 0.65, not 0.6.
@Suite struct AxisTicksTests {
    /// The y tick labels `axes` draws for a range.
    func yLabels(_ lo: Double, _ hi: Double) -> [String] {
        let svg = HTMLRenderer().axes(HTMLRenderer.Frame(), yLo: lo, yHi: hi, yLabel: "accuracy", xTicks: [], xLabel: "x")
        let regex = try! NSRegularExpression(pattern: "class=\"tick\">([^<]*)<")
        return regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { String(svg[Range($0.range(at: 1), in: svg)!]) }
    }

    @Test func ticksEveryFiveHundredthsPrintTwoDecimals() {
        #expect(yLabels(0.6, 0.85) == ["0.60", "0.65", "0.70", "0.75", "0.80", "0.85"])
    }

    @Test func everyRangeGivesDistinctLabelsThatReadBackAsTheirValues() {
        for lo in stride(from: 0.0, through: 0.95, by: 0.05) {
            for hi in stride(from: lo + 0.05, through: 1.0, by: 0.05) {
                let labels = yLabels(lo, hi)
                #expect(Set(labels).count == labels.count, "repeated labels for [\(lo), \(hi)]: \(labels)")
                let values = labels.compactMap(Double.init)
                #expect(values.count == labels.count)
                if let first = values.first, let second = values.dropFirst().first {
                    let step = second - first
                    for (i, v) in values.enumerated() { #expect(abs(v - (first + Double(i) * step)) < 1e-9, "\(labels) is not evenly spaced") }
                }
            }
        }
    }

    @Test func unchangedWhereTheyWereRightAlready() {
        #expect(yLabels(0.2, 1.0) == ["0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(AxisTicks.logLabel(1000) == "1k" && AxisTicks.logLabel(20000) == "20k" && AxisTicks.logLabel(50) == "50")
        #expect(AxisTicks.logLabel(0.2) == "0.2" && AxisTicks.logLabel(0.5) == "0.5", "sub-unit log ticks no longer all read 0")
        #expect(AxisTicks.label(0.625, step: 0.025) == "0.625")
    }
}
