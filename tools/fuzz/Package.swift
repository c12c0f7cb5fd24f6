// swift-tools-version: 6.1
// A libFuzzer target for the suite loader (issue 7). Built and run by tools/fuzz/run.sh
// (`make reliability` runs it) with AddressSanitizer and libFuzzer coverage; see run.sh.
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
    ]
)
