// swift-tools-version: 6.1
// libFuzzer targets for the suite loader and the log importers. Built and run by
// tools/fuzz/run.sh (`make reliability` runs them) with AddressSanitizer and libFuzzer coverage; see run.sh.
import PackageDescription

let package = Package(
    name: "ttsbench-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "ttsbench", path: "../..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "SuiteLoaderFuzz",
            dependencies: ["FuzzDriver", .product(name: "TTSBench", package: "ttsbench")]
        ),
        .executableTarget(
            name: "ImporterFuzz",
            dependencies: ["FuzzDriver", .product(name: "TTSBench", package: "ttsbench")]
        ),
    ]
)
