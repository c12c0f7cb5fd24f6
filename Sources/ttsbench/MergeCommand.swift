import ArgumentParser
import Foundation
import TTSStore

/// `ttsbench merge --into OUT.sqlite A.sqlite B.sqlite ...`: the union of databases (the shards
/// of `run --shard i/M`), refused on a true conflict or a suite recorded under two fingerprints.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge databases (e.g. the shards of `run --shard i/M`) into a new one; then `run` or `publish` on it decides, generating nothing.",
        discussion: "Samples, auxiliary calls, the request cache, seed runs and item outcomes are united; a row recorded by two inputs "
            + "must be equal in both, and a suite recorded with two fingerprints is refused. AdaStop interims and decisions are not "
            + "copied: the next run replays them from the seed runs. OUT is written to a temporary file and renamed when complete.")

    @Option(help: "The merged database to write.") var into: String
    @Flag(help: "Replace --into when it exists.") var force = false
    @Argument(help: "The databases to merge.") var inputs: [String] = []

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("name the databases to merge, e.g. ttsbench merge --into all.sqlite shard-1.sqlite shard-2.sqlite") }
    }

    func run() throws {
        do {
            let report = try StoreMerge.merge(inputs, into: into, force: force)
            let rows = report.rowsAdded.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("merged \(inputs.count) databases into \(into): \(rows.joined(separator: ", "))")
            print("suites: \(report.suites.joined(separator: ", ")); run `ttsbench run SUITE --db \(into)` (or publish) to decide and write the leaderboard")
        } catch let error as StoreError {
            throw Exit.fail("ttsbench \(error.message)", code: 2)
        }
    }
}
