import TTSBench

extension Session.Options {
    /// Options for a test run: the database and leaderboards under `dir`, no progress line.
    public static func quiet(in dir: String, database: String = "db.sqlite", output: String = "out",
                             workers: Int? = nil) -> Session.Options {
        var options = Session.Options()
        options.databasePath = dir + "/" + database
        options.outputDirectory = dir + "/" + output
        options.workers = workers
        options.showProgress = false
        return options
    }
}

/// Writes `yaml` as a suite file in `dir` and runs it for `seeds` seeds into `dir/db.sqlite`.
@discardableResult
public func runSuiteFile(_ yaml: String, in dir: String, seeds: Int? = nil, workers: Int? = nil,
                         file: String = "suite.yaml") async throws -> (report: RunReport, db: String) {
    let path = try writeFile(dir, file, yaml)
    let options = Session.Options.quiet(in: dir, workers: workers)
    let report = try await Session.open(suitePath: path, options: options).run(seeds: seeds)
    return (report, options.databasePath)
}
