// adastop-bench: issue 3, benchmark 1 — speed of ttsbench's AdaStop against the reference
// (PyPI adastop==0.1.3) on the same 5-agent, K=6, n=10, B=10000 scores, and whether the
// decisions agree.
//
//   swift run -c release adastop-bench [--root DIR] [--venv DIR] [--python PYTHON]
//                                      [--runs N] [--ref-runs N] [--skip-reference] [--strict]
//
// The scores are generated deterministically (normal draws, fixed seed) into a CSV under
// <root>/.build/adastop-bench/, in the layout `ttsbench adastop` and the reference driver
// (bench/adastop/reference_driver.py) both read. The reference runs in a virtualenv at
// <root>/.venv-bench, created and filled with `pip install adastop==0.1.3` when missing.
//
// Which decisions are compared. With n = 10 and B = 10000 every interim is in the random
// regime (C(20,10) = 184756 > B), where the reference draws its permutations from NumPy and we
// draw ours from a counter-based generator: the boundaries can only agree in distribution. The
// inputs are therefore chosen so that the decisions do not hinge on the draws: three agents
// are 5 standard deviations apart from the others (decided at interim 0 whatever the draws),
// and the two remaining ones are identical in distribution and their observed difference sits
// far from the boundary, so they run to K and end "equal". Decisions are compared with our
// `adastop-0.1.3` rule (the reference's signed maximum and normalisation); the default
// absolute rule's decisions are printed as well.

import AdaStop
import Foundation

// MARK: - Options

struct Options {
    var root = FileManager.default.currentDirectoryPath
    var venv: String?
    var python = "python3"
    var runs = 5
    var refRuns = 1
    var skipReference = false
    var strict = false
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    func value(_ flag: String) -> String {
        guard let v = args.popFirst() else {
            FileHandle.standardError.write("adastop-bench: \(flag) needs a value\n".data(using: .utf8)!)
            exit(2)
        }
        return v
    }
    while let a = args.popFirst() {
        switch a {
        case "--root": o.root = value(a)
        case "--venv": o.venv = value(a)
        case "--python": o.python = value(a)
        case "--runs": o.runs = max(1, Int(value(a)) ?? 5)
        case "--ref-runs": o.refRuns = max(1, Int(value(a)) ?? 1)
        case "--skip-reference": o.skipReference = true
        case "--strict": o.strict = true
        case "-h", "--help":
            print("usage: adastop-bench [--root DIR] [--venv DIR] [--python PYTHON] [--runs N] [--ref-runs N] [--skip-reference] [--strict]")
            exit(0)
        default:
            FileHandle.standardError.write("adastop-bench: unknown argument \(a)\n".data(using: .utf8)!)
            exit(2)
        }
    }
    return o
}

func log(_ s: String) {
    FileHandle.standardError.write((s + "\n").data(using: .utf8)!)
}

func fail(_ s: String) -> Never {
    log("adastop-bench: " + s)
    exit(2)
}

// MARK: - Deterministic inputs

struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }
    mutating func normal() -> Double {
        let u = uniform(), v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

let agentNames = ["A", "B", "C", "D", "E"]
let agentMeans = [0.0, 0.0, 5.0, 10.0, -5.0]
let config = AdaStopConfig(interims: 6, groupSize: 10, permutations: 10_000, alpha: 0.05, seed: 20_240_601, rule: .adastop013)
let dataSeed: UInt64 = 7

func makeCSV() -> String {
    let rows = config.interims * config.groupSize
    var columns: [[Double]] = []
    for (a, mean) in agentMeans.enumerated() {
        var g = Generator(state: dataSeed &* 1_000_003 &+ UInt64(a))
        columns.append((0..<rows).map { _ in ((mean + g.normal()) * 1_000_000).rounded() / 1_000_000 })
    }
    var text = agentNames.joined(separator: ",") + "\n"
    for i in 0..<rows {
        text += columns.map { "\($0[i])" }.joined(separator: ",") + "\n"
    }
    return text
}

// MARK: - Processes

@discardableResult
func run(_ exe: String, _ args: [String]) -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let out = Pipe()
    // stderr goes to a file, so that neither stream can fill up and block the child.
    let errPath = NSTemporaryDirectory() + "adastop-bench-\(getpid())-\(UInt64.random(in: 0..<UInt64.max)).err"
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    guard let errHandle = FileHandle(forWritingAtPath: errPath) else { return (-1, "", "cannot create \(errPath)") }
    p.standardOutput = out
    p.standardError = errHandle
    do {
        try p.run()
    } catch {
        return (-1, "", "cannot run \(exe): \(error)")
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    try? errHandle.close()
    let errText = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), errText)
}

func which(_ name: String) -> String? {
    if name.contains("/") { return name }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// The virtualenv's python with adastop==0.1.3 importable, creating / filling it if needed.
func referencePython(_ o: Options) -> String {
    let venv = o.venv ?? (o.root as NSString).appendingPathComponent(".venv-bench")
    let py = (venv as NSString).appendingPathComponent("bin/python")
    if !FileManager.default.isExecutableFile(atPath: py) {
        guard let base = which(o.python) else { fail("\(o.python) not found: needed to create \(venv)") }
        log("creating virtualenv \(venv)")
        let r = run(base, ["-m", "venv", venv])
        if r.status != 0 { fail("python -m venv failed:\n\(r.err)") }
    }
    let check = run(py, ["-c", "import adastop, sys; sys.exit(0 if adastop.__version__ == '0.1.3' else 1)"])
    if check.status != 0 {
        log("installing adastop==0.1.3 into \(venv) (pip)")
        let r = run(py, ["-m", "pip", "install", "--disable-pip-version-check", "-q", "adastop==0.1.3"])
        if r.status != 0 { fail("pip install adastop==0.1.3 failed:\n\(r.err)") }
        let again = run(py, ["-c", "import adastop, sys; sys.exit(0 if adastop.__version__ == '0.1.3' else 1)"])
        if again.status != 0 { fail("adastop 0.1.3 still not importable from \(py):\n\(again.err)") }
    }
    return py
}

// MARK: - Main

let options = parseOptions()
let workDir = (options.root as NSString).appendingPathComponent(".build/adastop-bench")
try? FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
let csvPath = (workDir as NSString).appendingPathComponent("scores-5x60.csv")
let csvText = makeCSV()
do {
    try csvText.write(toFile: csvPath, atomically: true, encoding: .utf8)
} catch {
    fail("cannot write \(csvPath): \(error)")
}

// Ours: parse the file once, then time the test itself (best of several runs).
let csv: AdaStopCSV
do {
    csv = try AdaStopCSV(text: String(contentsOfFile: csvPath, encoding: .utf8))
} catch {
    fail("cannot read back \(csvPath): \(error)")
}
let clock = ContinuousClock()
func timeOurs(threads: Int?) throws -> (Double, AdaStopReport) {
    var best = Double.infinity
    var report: AdaStopReport?
    for _ in 0..<options.runs {
        let t0 = clock.now
        let r = try csv.run(config: config, parallelism: threads)
        let d = clock.now - t0
        best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        report = r
    }
    return (best, report!)
}
let (best, ours) = try timeOurs(threads: nil)
let (bestOneThread, oursOneThread) = try timeOurs(threads: 1)
if oursOneThread.json() != ours.json() { fail("results depend on the thread count") }
var absoluteConfig = config
absoluteConfig.rule = .absolute
let oursAbsolute = try csv.run(config: absoluteConfig)

log("inputs: \(csvPath) (5 agents, means \(agentMeans), sd 1; K=6, n=10, B=10000, alpha=0.05)")
log("ttsbench timing: best of \(options.runs): \(best) s (default threads), \(bestOneThread) s (1 thread)")
log("ttsbench [adastop-0.1.3 rule]: \(ours.json())")
log("ttsbench [absolute rule]:      \(oursAbsolute.json())")

func fmt(_ x: Double) -> String {
    if x >= 1 { return String(format: "%.2f", x) }
    if x >= 0.01 { return String(format: "%.3f", x) }
    return String(format: "%.4f", x)
}

if options.skipReference {
    print("adastop speed: ttsbench \(fmt(best)) s (reference skipped)")
    exit(0)
}

let py = referencePython(options)
let driver = (options.root as NSString).appendingPathComponent("bench/adastop/reference_driver.py")
guard FileManager.default.fileExists(atPath: driver) else { fail("missing \(driver) (run from the package root or pass --root)") }
let ref = run(py, [driver, csvPath, "--n-groups", "\(config.interims)", "--size-group", "\(config.groupSize)",
                   "--n-permutations", "\(config.permutations)", "--alpha", "\(config.alpha)",
                   "--seed", "\(config.seed % (1 << 32))", "--repeat", "\(options.refRuns)"])
if ref.status != 0 { fail("reference driver failed:\n\(ref.err)") }

struct RefDecision: Decodable, Equatable { var a: String; var b: String; var decision: String; var interim: Int? }
struct RefResult: Decodable { var seconds: Double; var decisions: [RefDecision]; var scores_used: [String: Int]; var interims: Int }
let refResult: RefResult
do {
    refResult = try JSONDecoder().decode(RefResult.self, from: Data(ref.out.utf8))
} catch {
    fail("cannot parse the reference driver's output: \(error)\n\(ref.out)")
}
log("reference adastop 0.1.3:       \(ref.out.trimmingCharacters(in: .whitespacesAndNewlines))")

let ourDecisions = ours.results.map {
    RefDecision(a: agentNames[$0.comparison.a], b: agentNames[$0.comparison.b],
                decision: $0.decision?.rawValue ?? "undecided", interim: $0.interim)
}
let ourUsed = Dictionary(uniqueKeysWithValues: zip(agentNames, ours.scoresUsed))
let agree = ourDecisions == refResult.decisions && ourUsed == refResult.scores_used && ours.interims.count == refResult.interims
let absoluteAgree = oursAbsolute.results.map { $0.decision?.rawValue ?? "undecided" } == refResult.decisions.map(\.decision)
let ratio = refResult.seconds / best
log("compared with the reference: decisions, their interims, scores used and interims run, under ttsbench's "
    + "adastop-0.1.3 rule; ttsbench's default absolute rule gives \(absoluteAgree ? "the same" : "different") decisions")
print("adastop speed: ttsbench \(fmt(best)) s, reference \(fmt(refResult.seconds)) s, ratio \(Int(ratio.rounded()))x, decisions agree: \(agree ? "yes" : "no")")
if options.strict && (!agree || ratio < 100) {
    exit(1)
}
