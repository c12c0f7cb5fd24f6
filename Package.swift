// swift-tools-version: 6.1
import PackageDescription

// The targets make the data flow one-way (docs/architecture.md):
//
//                         ┌─── TTSStrategies ◄─┐
//                         │                    │
// TTSSuite ◄── TTSSeams ◄─┼─── TTSModels ◄─────┼── TTSRuntime ◄── TTSBench (use cases) ◄── ttsbench (CLI)
//  ▲   │            │     │                    │       │             │  │
//  │   ▼            ▼     └─── TTSVerifiers ◄──┘       ▼             │  ▼
//  │ TTSDesign  MathAnswers         │               TTSStore ◄───────┘ TTSReport ──► TTSStore, AdaStop
//  └──── CodeSandbox ◄──────────────┘
//                                         AdaStop, MathAnswers, TTSCore: no dependency
//
// The runtime's targets meet at TTSSeams: models, verifiers and strategies see the seams and
// none of each other, and none sees the store; TTSRuntime (the scheduler) wires them together.
// TTSStore sees AdaStop's value types (the recorded compare settings and decisions are typed
// with them). TTSReport reads the store and AdaStop only: it cannot see models, strategies, verifiers, the
// scheduler or suite parsing, so a leaderboard is a function of the database. TTSStore is the
// only target that imports GRDB or holds SQL. TTSSuite parses suites without the store (a replayed
// database is read through the lookup TTSBench hands in). MathAnswers (math final answers) and
// CodeSandbox (running untrusted programs under limits) are self-contained leaves of the runtime.
//
// Versions are exact: Package.resolved is not committed (the local package mirror's commit ids
// are not GitHub's), so `exact:` is what makes two clones build the same dependencies.
let package = Package(
    name: "ttsbench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ttsbench", targets: ["ttsbench"]),
        .library(name: "TTSBench", targets: ["TTSBench"]),
        .library(name: "AdaStop", targets: ["AdaStop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        // TLS settings of https requests (a model's ca_file); AsyncHTTPClient already uses it.
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    ],
    targets: [
        // Pure statistics: no dependency at all.
        .target(name: "AdaStop"),
        // Math final answers (extraction, LaTeX parsing, equivalence): no dependency at all.
        .target(name: "MathAnswers"),
        // Hashing, canonical JSON, atomic writes, number formatting.
        .target(name: "TTSCore"),
        // The system's libzstd (Debian: libzstd-dev): compresses stored texts, and decompresses
        // the entries of Inspect AI's .eval logs for the importer.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // The database: schema, migrations, typed records, writer and read-only reader.
        // The suite's comparison design (metric, AdaStop rule, permutation, budget) as one typed
        // record, shared by the suite parser, the store and the reports.
        .target(name: "TTSDesign", dependencies: ["TTSCore", "AdaStop"]),
        .target(name: "TTSStore", dependencies: [
            "TTSCore", "AdaStop", "TTSDesign", "CZstd",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Specs, the registry of kinds, YAML loading with located errors, tasks, fingerprints.
        .target(name: "TTSSuite", dependencies: [
            "TTSCore", "AdaStop", "TTSDesign", "CZstd",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Runs an untrusted candidate program against its tests under limits, isolated.
        .target(name: "CodeSandbox", dependencies: ["TTSSuite"]),
        // The runtime's seams: the model client protocol and its request and completion types, the
        // verifier protocol and verdicts, samples and `SampleSource`, answer extraction, and the
        // capabilities handed in at construction (simulated judging and steps, scoring endpoints,
        // recorded samples). The runtime targets below meet here and nowhere else.
        .target(name: "TTSSeams", dependencies: ["TTSCore", "TTSSuite", "MathAnswers"],
                swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]),
        // Model clients: OpenAI-compatible HTTP, endpoint pools, retries, reasoning split, the
        // simulated and replayed models. Never the store (the cache and the replayed database are
        // handed in through seams).
        .target(name: "TTSModels", dependencies: [
            "TTSCore", "TTSSuite", "TTSSeams", "MathAnswers",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]),
        // Verifiers: exact, numeric, math, code, judge, reward and PRM endpoints, simulated scorers.
        // A verifier that calls out gets its client or endpoint handed in (`VerifierResources`).
        .target(name: "TTSVerifiers", dependencies: ["TTSCore", "TTSSuite", "TTSSeams", "AdaStop", "MathAnswers", "CodeSandbox"],
                swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]),
        // Strategies: how test-time compute is spent on one item, over a `SampleSource`.
        .target(name: "TTSStrategies", dependencies: ["TTSCore", "TTSSuite", "TTSSeams", "AdaStop"],
                swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]),
        // The scheduler (runner, shards, sample and auxiliary pools, cost model, progress, the
        // store's writes) and the wiring of models into verifiers and strategies.
        .target(name: "TTSRuntime", dependencies: [
            "TTSCore", "TTSStore", "TTSSuite", "AdaStop", "TTSSeams", "TTSModels", "TTSVerifiers", "TTSStrategies",
        ]),
        // Leaderboard model and renderers, built from the store's reader alone.
        .target(name: "TTSReport", dependencies: ["TTSCore", "TTSDesign", "TTSStore", "AdaStop"]),
        // The read-only local web viewer over the database (`ttsbench view`): pages, JSON API, export.
        .target(name: "TTSView", dependencies: [
            "TTSCore", "TTSStore", "TTSReport",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        // Use cases: run, publish, compare, verify.
        .target(name: "TTSBench", dependencies: ["TTSCore", "TTSStore", "TTSSuite", "TTSSeams", "TTSModels", "TTSVerifiers", "TTSRuntime", "TTSReport", "AdaStop", "BuildInfo"]),
        // The ttsbench version, and the commit and dependency versions stamped at build time.
        .target(name: "BuildInfo", plugins: ["BuildStamp"]),
        .plugin(name: "BuildStamp", capability: .buildTool()),
        .executableTarget(
            name: "ttsbench",
            dependencies: [
                "TTSBench", "TTSReport", "TTSRuntime", "TTSSuite", "TTSStore", "TTSCore", "AdaStop", "BuildInfo",
                "TTSView",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks (`make bench`): ratios measured in the same run.
        .executableTarget(name: "ttsbench-bench", dependencies: ["TTSRuntime", "TTSSeams", "TTSModels", "TTSSuite", "TTSCore", "AdaStop"]),
        .executableTarget(name: "adastop-bench", dependencies: ["AdaStop"]),
        .executableTarget(name: "stats-bench", dependencies: ["AdaStop"]),
        // Bytes per sample of the database with reasoning-length traces, compressed vs plain texts.
        .executableTarget(name: "storage-bench", dependencies: ["TTSStore", "TTSCore"]),
        // Request rate of the client path against a canned local endpoint (bench/endpoint/run.sh).
        .executableTarget(name: "endpoint-bench", dependencies: ["TTSRuntime", "TTSSeams", "TTSModels", "TTSSuite", "TTSStore", "TTSCore"]),
        // Page latency of `ttsbench view` on a large database.
        .executableTarget(name: "view-bench", dependencies: ["TTSView", "TTSStore", "TTSDesign", "TTSCore", "AdaStop"]),
        .testTarget(name: "AdaStopTests", dependencies: ["AdaStop"]),
        .testTarget(name: "MathAnswersTests", dependencies: ["MathAnswers"]),
        // Fixtures shared by the test targets: the base suite, test servers, database and input helpers.
        .target(name: "TestSupport", dependencies: ["TTSBench", "TTSStore", "TTSCore", .product(name: "GRDB", package: "GRDB.swift")], path: "Tests/TestSupport"),
        .testTarget(name: "TTSBenchTests", dependencies: ["TestSupport", "TTSBench", "TTSReport", "TTSRuntime", "TTSSeams", "TTSModels", "TTSVerifiers", "TTSStrategies", "MathAnswers", "CodeSandbox", "TTSSuite", "TTSDesign", "TTSStore", "TTSCore", "AdaStop", .product(name: "GRDB", package: "GRDB.swift")]),
        // Against a real llama.cpp server (tools/tiny-model) started by the tests; skipped without the venv.
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "TTSBench", "TTSReport", "TTSRuntime", "TTSSeams", "TTSModels", "TTSVerifiers", "TTSStrategies", "TTSSuite", "TTSStore", "TTSCore", "AdaStop", .product(name: "GRDB", package: "GRDB.swift"),
                                                            .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "TTSView", "TTSBench", "TTSReport", "TTSRuntime", "TTSSeams", "TTSModels", "TTSVerifiers", "TTSStrategies", "TTSSuite", "TTSStore", "TTSCore", "AdaStop", .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
