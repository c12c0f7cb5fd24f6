// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ttsbench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ttsbench", targets: ["ttsbench"]),
        .library(name: "TTSBench", targets: ["TTSBench"]),
        .library(name: "AdaStop", targets: ["AdaStop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // Pure statistics: no dependency at all.
        .target(name: "AdaStop"),
        // The ttsbench version, and the commit and dependency versions stamped at build time.
        .target(name: "BuildInfo", plugins: ["BuildStamp"]),
        .plugin(name: "BuildStamp", capability: .buildTool()),
        .target(
            name: "TTSBench",
            dependencies: [
                "AdaStop",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(
            name: "ttsbench",
            dependencies: [
                "TTSBench",
                "BuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks (`make bench`): ratios measured in the same run.
        .executableTarget(name: "ttsbench-bench", dependencies: ["TTSBench", "AdaStop"]),
        .executableTarget(name: "adastop-bench", dependencies: ["AdaStop"]),
        // Request rate of the client path against a canned local endpoint (bench/endpoint/run.sh).
        .executableTarget(name: "endpoint-bench", dependencies: ["TTSBench"]),
        .testTarget(name: "AdaStopTests", dependencies: ["AdaStop"]),
        .testTarget(name: "TTSBenchTests", dependencies: ["TTSBench", .product(name: "GRDB", package: "GRDB.swift")]),
        // Against a real llama.cpp server (tools/tiny-model) started by the tests; skipped without the venv.
        .testTarget(name: "IntegrationTests", dependencies: ["TTSBench", .product(name: "GRDB", package: "GRDB.swift"),
                                                            .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        .testTarget(name: "EndToEndTests", dependencies: ["TTSBench", .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
