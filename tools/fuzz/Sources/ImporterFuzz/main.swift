import FuzzDriver
import Foundation
import TTSSuite

/// One input: any bytes are a log to import. An input that starts like a zip archive is read as
/// an Inspect `.eval` log; any other is read as an lm-eval samples file, an Inspect JSON log and
/// a ttsbench replay JSONL. Each reader must return or throw its error naming the file; anything
/// else (a crash, a trap, a stack overflow, an AddressSanitizer report, a hang past libFuzzer's
/// -timeout, memory past -rss_limit_mb) is a finding.
let path = NSTemporaryDirectory() + "/ttsbench-importer-fuzz-\(getpid())"
let shown = "fuzz.log"

func check(_ message: String) {
    if !message.hasPrefix(shown + ":") { fatalError("an error that does not name the file: \(message)") }
}

func importLog(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard FileManager.default.createFile(atPath: path, contents: data) else { fatalError("cannot write \(path)") }
    if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
        do { _ = try InspectLog.read(path: path, shownAs: shown).seedPlan() } catch { check(error.description) }
        return 0
    }
    do { _ = try LMEvalLog.read(path: path, shownAs: shown).seedPlan() } catch { check(error.description) }
    do { _ = try InspectLog.read(path: path, shownAs: shown).seedPlan() } catch { check(error.description) }
    do { _ = try ReplayFile.read(path: path, shownAs: shown) } catch { check(error.description) }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in importLog(data, size) })
