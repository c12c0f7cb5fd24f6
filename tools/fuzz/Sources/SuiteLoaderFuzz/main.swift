import FuzzDriver
import Foundation
import TTSBench

/// One input: any bytes are a suite file. The loader must return a suite or throw a located
/// `SuiteError`; anything else (a crash, a trap, a stack overflow, an AddressSanitizer report, a
/// hang past libFuzzer's -timeout, memory past -rss_limit_mb) is a finding.
func loadSuite(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    do {
        _ = try SuiteLoader.load(data: data, path: "/nonexistent-fuzz-dir/suite.yaml")
    } catch let error as SuiteError {
        if error.line < 1 || error.column < 1 || error.message.isEmpty || !error.description.hasPrefix(error.file + ":") {
            fatalError("an unlocated suite error: \(error)")
        }
    } catch {
        fatalError("the loader threw something other than a SuiteError: \(error)")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in loadSuite(data, size) })
