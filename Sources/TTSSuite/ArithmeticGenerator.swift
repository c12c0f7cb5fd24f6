import TTSCore
/// The built-in deterministic task: integer arithmetic problems with known answers, so the
/// embedded default needs no data file. Items depend only on the suite seed and the parameters.
public struct ArithmeticGenerator: Sendable {
    public var spec: ArithmeticSpec
    public var seed: UInt64

    public init(spec: ArithmeticSpec, seed: UInt64) {
        self.spec = spec
        self.seed = seed
    }

    public func items() -> [TaskItem] {
        var lo = 1
        for _ in 1..<spec.digits { lo *= 10 }
        let hi = lo * 10 - 1
        let low = spec.digits == 1 ? 0 : lo
        return (0..<spec.items).map { index in
            var rng = SplitMix64("arithmetic", seed, index)
            let op = spec.operations[Int(rng.next() % UInt64(spec.operations.count))]
            let a = low + Int(rng.next() % UInt64(hi - low + 1))
            let b = low + Int(rng.next() % UInt64(hi - low + 1))
            let answer: Int
            let symbol: String
            switch op {
            case "+": answer = a + b; symbol = "+"
            case "-": answer = a - b; symbol = "-"
            default: answer = a * b; symbol = "\\times"
            }
            // Difficulty grows with carries/borrows and with multiplication; the simulated
            // backend adds per-item noise on top.
            let difficulty = Self.difficulty(op: op, a: a, b: b, digits: spec.digits)
            return TaskItem(id: "arith-\(index)", question: "Compute $\(a) \(symbol) \(b)$.",
                            answer: String(answer), difficulty: difficulty)
        }
    }

    static func difficulty(op: String, a: Int, b: Int, digits: Int) -> Double {
        var carries = 0
        var x = a, y = b, carry = 0
        while x > 0 || y > 0 {
            let s: Int
            if op == "-" { s = x % 10 - y % 10 - carry; carry = s < 0 ? 1 : 0 } else { s = x % 10 + y % 10 + carry; carry = s >= 10 ? 1 : 0 }
            carries += carry
            x /= 10; y /= 10
        }
        let base = op == "*" ? 0.6 + 0.35 * Double(digits) : -0.9 + 0.15 * Double(digits)
        return base + 0.3 * Double(carries)
    }
}
