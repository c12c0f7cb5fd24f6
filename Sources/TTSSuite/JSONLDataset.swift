import TTSCore
import Foundation

/// Reads a JSONL data set: one JSON object per line with "id", "question" (or "prompt") and
/// "answer"; code items (HumanEval) give "prompt", "canonical_solution" (the answer),
/// "entry_point" and "test"; other fields are ignored. Errors name the file, line and column.
public enum JSONLDataset {
    public static func load(path: String, shownAs: String? = nil) throws -> (items: [TaskItem], digest: String) {
        let shown = shownAs ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SuiteError(file: shown, line: 1, column: 1, message: "cannot read the data file")
        }
        let digest = SHA256.hex(bytes: data)
        var items: [TaskItem] = []
        var ids = [String: Int]()
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            lineNumber += 1
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            let lineData = data[start..<end]
            start = end < data.endIndex ? data.index(after: end) : end
            if lineData.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            func fail(_ message: String, column: Int = 1) -> SuiteError {
                SuiteError(file: shown, line: lineNumber, column: column, message: message)
            }
            guard String(data: lineData, encoding: .utf8) != nil else { throw fail("the line is not valid UTF-8") }
            let object: Any
            // Foundation's parser accepts what JSON does not (a trailing comma on Linux): a strict
            // parse first, so a line that is not JSON is refused wherever it is read.
            guard JSONValue.parse(lineData) != nil else {
                throw fail("malformed JSON (a trailing comma, a missing quote or bracket?); each line must be one JSON object "
                           + "{\"id\", \"question\", \"answer\"}")
            }
            do {
                object = try JSONSerialization.jsonObject(with: lineData, options: [.fragmentsAllowed])
            } catch {
                throw fail("malformed JSON: \(describe(error)); each line must be one JSON object {\"id\", \"question\", \"answer\"}")
            }
            guard let dict = object as? [String: Any] else {
                throw fail("expected a JSON object {\"id\", \"question\", \"answer\"}, found \(type(of: object))")
            }
            func text(_ key: String) -> String? {
                switch dict[key] {
                case let s as String: return s
                case let n as NSNumber: return n.stringValue
                default: return nil
                }
            }
            guard let id = text("id") ?? text("task_id") else { throw fail("missing the string field \"id\"") }
            guard let question = text("question") ?? text("prompt") else { throw fail("item '\(id)' has no string field \"question\"") }
            guard let answer = text("answer") ?? text("canonical_solution") else { throw fail("item '\(id)' has no field \"answer\"") }
            if let previous = ids[id] { throw fail("duplicate id '\(id)' (first on line \(previous))") }
            ids[id] = lineNumber
            let difficulty = (dict["difficulty"] as? NSNumber)?.doubleValue
            // HumanEval fields: the function under test and its tests (`check(candidate)`).
            let entryPoint = text("entry_point")
            let tests = text("test")
            // Multiple-choice items: "choices" (or "options"), a list of strings.
            var choices: [String]?
            if let raw = dict["choices"] ?? dict["options"] {
                guard let list = raw as? [Any], !list.isEmpty, list.allSatisfy({ $0 is String || $0 is NSNumber }) else {
                    throw fail("item '\(id)': \"choices\" must be a non-empty list of strings")
                }
                choices = list.map { ($0 as? String) ?? ($0 as! NSNumber).stringValue }
            }
            items.append(TaskItem(id: id, question: question, answer: answer, difficulty: difficulty,
                                  entryPoint: entryPoint, tests: tests, choices: choices))
        }
        if items.isEmpty { throw SuiteError(file: shown, line: 1, column: 1, message: "the data file holds no items") }
        return (items, digest)
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}
