import AdaStop
import ArgumentParser
import TTSBench
import TTSSuite
import TTSReport

// Option groups shared by run, publish and compare: the same flag, help and default everywhere.

struct DatabaseOptions: ParsableArguments {
    @Option(help: "The SQLite database.") var db = "results/ttsbench.sqlite"
}

/// `run`, `publish` and `compare`: what to do when the database holds the suite's name with
/// another fingerprint.
struct ReplaceOptions: ParsableArguments {
    @Flag(help: "Replace a suite of the same name recorded with another fingerprint (refused otherwise; renaming the suite keeps both).")
    var replace = false
}

struct OutputOptions: ParsableArguments {
    @Option(help: "Where leaderboards go (a folder per suite).") var out = "results"
}

struct ExecutionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Cap on items in flight at once (default: enough to keep every model's max_concurrency requests in flight).",
                               valueName: "workers")) var workers: Int?
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }
}

/// `run` and `publish`: a spending limit for this run (replacing the suite's `compare.budget`
/// limit by limit). Recorded samples are free; the test stops before an interim it cannot pay
/// for and reports the open comparisons as undecided (budget).
struct BudgetOptions: ParsableArguments {
    @Option(help: "Generate at most N new samples (pooled samples plus auxiliary calls) in this run.") var maxSamples: Int?
    @Option(help: "Generate at most N new tokens (prompt plus completion) in this run.") var maxTokens: Int?
    @Option(help: "Spend at most X US dollars (from the models' prices) in this run.") var maxUsd: Double?

    func validate() throws {
        if let maxSamples, maxSamples < 1 { throw ValidationError("--max-samples must be at least 1") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if let maxUsd, !(maxUsd > 0) { throw ValidationError("--max-usd must be more than 0") }
    }

    var budget: Budget? {
        let b = Budget(samples: maxSamples, tokens: maxTokens, usd: maxUsd)
        return b.isEmpty ? nil : b
    }
}

/// `compare`'s overrides of the suite's `compare:` settings.
struct StatisticsOverrides: ParsableArguments {
    @Option(help: "Family-wise error level (default: the suite's compare.alpha).") var alpha: Double?
    @Option(help: "Seeds per system per interim (default: compare.group_size).") var groupSize: Int?
    @Option(help: "Maximum number of interims K (default: compare.max_interims).") var maxInterims: Int?
    @Option(help: "Permutations B (default: compare.permutations).") var permutations: Int?

    func validate() throws {
        if let alpha, !(alpha > 0 && alpha <= 0.5) { throw ValidationError("--alpha must be in (0, 0.5]") }
        if let groupSize, groupSize < 1 { throw ValidationError("--group-size must be at least 1") }
        if let maxInterims, maxInterims < 1 { throw ValidationError("--max-interims must be at least 1") }
        if let permutations, permutations < 100 { throw ValidationError("--permutations must be at least 100") }
    }
}

// Typed option values: a bad value is a usage error (exit 2) naming the accepted values.

/// `leaderboard --format`: one of the five files, or all of them.
enum FormatChoice: String, CaseIterable, ExpressibleByArgument {
    case md, csv, json, html, provenance, all

    var formats: [LeaderboardFormat] {
        switch self {
        case .md: [.md]
        case .csv: [.csv]
        case .json: [.json]
        case .html: [.html]
        case .provenance: [.provenance]
        case .all: LeaderboardFormat.allCases
        }
    }
}

/// `adastop --compat`: the boundary rules other than the default one.
enum CompatChoice: String, CaseIterable, ExpressibleByArgument {
    case adastop013 = "adastop-0.1.3"

    var rule: BoundaryRule {
        switch self {
        case .adastop013: .adastop013
        }
    }
}

/// `adastop --permutation`.
enum PermutationChoice: String, CaseIterable, ExpressibleByArgument {
    case closed, holm, pairwise, joint

    var scheme: PermutationScheme {
        switch self {
        case .closed: .closed
        case .holm: .holm
        case .pairwise: .pairwise
        case .joint: .joint
        }
    }
}

/// `verify --kind`.
enum VerifierChoice: String, CaseIterable, ExpressibleByArgument {
    case math, numeric, exact

    var kind: AnswerCheck.Kind {
        switch self {
        case .math: .math
        case .numeric: .numeric
        case .exact: .exact
        }
    }
}

/// `verify --extract`.
enum ExtractionChoice: String, CaseIterable, ExpressibleByArgument {
    case auto, boxed
    case lastNumber = "last_number"
    case gsm8k, choice, raw

    var mode: AnswerExtraction { AnswerExtraction(name: rawValue)! }
}

extension Session.Options {
    /// What `run` and `publish` set from the option groups they share.
    init(database: DatabaseOptions, output: OutputOptions, execution: ExecutionOptions, budget: BudgetOptions, replacing: ReplaceOptions) {
        self.init()
        databasePath = database.db
        outputDirectory = output.out
        workers = execution.workers
        showProgress = !execution.quiet
        self.budget = budget.budget
        replace = replacing.replace
    }
}
