import TTSCore
import Foundation

/// Reads an lm-evaluation-harness `--log_samples` file (`samples_TASK_DATE.jsonl`): one line a
/// document, with `doc_id`, `doc`, `target`, `arguments` (the prompt and generation kwargs),
/// `resps` (one list of the `repeats` completions per request) and `filtered_resps`.
///
///     let run = try LMEvalLog.read(path: p, shownAs: p, options: .init())
///
/// - The item id is `doc[idField]` when given, else `doc.id` when the document has one, else `doc_id`.
/// - The question is the prompt lm-eval sent (`arguments.gen_args_0.arg_0`); the answer is `target`.
/// - The temperature is the generation kwargs' `temperature` (lm-eval's API models default to 0
///   when it is absent), unless `options.temperature` overrides it.
/// - lm-eval writes a document once per filter with the same `resps`: those lines count once.
///   With `filtered: true` the filter's output (`filtered_resps`) is imported instead; then
///   `filter` must name one filter when the task has several.
/// - Only `generate_until` tasks have completions; a loglikelihood task's `resps` are refused.
public enum LMEvalLog {
    public struct Options: Sendable {
        public var temperature: Double?
        public var idField: String?
        public var filter: String?
        public var filtered: Bool
        public init(temperature: Double? = nil, idField: String? = nil, filter: String? = nil, filtered: Bool = false) {
            self.temperature = temperature
            self.idField = idField
            self.filter = filter
            self.filtered = filtered
        }
    }

    public static func read(path: String, shownAs: String, options: Options = .init()) throws(ImportError) -> HarnessImport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError(description: "cannot read the lm-eval samples file \(shownAs)")
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        // samples_TASK_2026-11-30T15-57-07.448512.jsonl -> TASK
        var task = (name as NSString).deletingPathExtension
        if task.hasPrefix("samples_"), let r = task.range(of: "_", options: .backwards), r.lowerBound > task.index(task.startIndex, offsetBy: 7) {
            task = String(task[task.index(task.startIndex, offsetBy: 8)..<r.lowerBound])
        }
        var run = HarnessImport(harness: "lm-eval", task: task, model: "unknown", sources: [shownAs])
        struct Seen { var line: Int; var responses: [String]; var filter: String }
        var seen: [String: Seen] = [:]
        var filters = Set<String>()
        for (lineNumber, line) in JSONLines.nonBlank(data) {
            let at = "\(shownAs):\(lineNumber)"
            guard let v = JSONValue.parse(line), v.objectValue != nil else {
                throw ImportError(description: "\(at): not a JSON object (an lm-eval --log_samples file has one document a line)")
            }
            let filter = v["filter"]?.stringValue ?? "none"
            if let wanted = options.filter, filter != wanted { filters.insert(filter); continue }
            filters.insert(filter)
            guard let docID = v["doc_id"]?.intValue else { throw ImportError(description: "\(at): needs doc_id (an integer)") }
            guard let doc = v["doc"], doc.objectValue != nil else { throw ImportError(description: "\(at): needs doc (the document, an object)") }
            let id: String
            if let field = options.idField {
                guard let value = scalarText(doc[field]) else {
                    throw ImportError(description: "\(at): doc has no field '\(field)' (string or number) for the item id; its fields: \(doc.objectValue!.keys.sorted().joined(separator: ", "))")
                }
                id = value
            } else {
                id = scalarText(doc["id"]) ?? String(docID)
            }
            guard let target = scalarText(v["target"]) else {
                throw ImportError(description: "\(at): needs target (the reference answer, a string or number)")
            }
            let args = v["arguments"]?["gen_args_0"]
            let prompt = args?["arg_0"]?.stringValue ?? scalarText(doc["question"]) ?? ""
            let kwargs = args?["arg_1"]
            var temperature = options.temperature ?? kwargs?["temperature"]?.doubleValue ?? 0
            if options.temperature == nil, case .bool(false)? = kwargs?["do_sample"] { temperature = 0 }

            let field = options.filtered ? "filtered_resps" : "resps"
            guard let raw = v[field]?.arrayValue else {
                throw ImportError(description: "\(at): needs \(field) (a list)")
            }
            // resps: [[r1, ..., rN]] (one request with N repeats); filtered_resps: [a1, ..., aN] or [a].
            var responses: [String] = []
            for element in raw {
                if let s = element.stringValue { responses.append(s); continue }
                guard let inner = element.arrayValue, inner.allSatisfy({ $0.stringValue != nil }) else {
                    throw ImportError(description: "\(at): \(field) holds \(element.canonicalString.prefix(80)), not completions "
                        + "(only generate_until tasks can be imported; loglikelihood and multiple-choice tasks record scores, not text)")
                }
                responses += inner.map { $0.stringValue! }
            }
            if responses.isEmpty { throw ImportError(description: "\(at): \(field) is empty") }
            if let before = seen[id] {
                if !options.filtered && before.responses == responses { continue }  // the same document under another filter
                throw ImportError(description: "\(at): item \(id) appears again (first at line \(before.line), filter \(before.filter); here filter \(filter))"
                    + (options.filtered ? "; choose one filter with --filter (this file has \(filters.sorted().joined(separator: ", ")))"
                                        : " with other responses; pass --id-field to name a unique document field"))
            }
            seen[id] = Seen(line: lineNumber, responses: responses, filter: filter)
            if run.model == "unknown", let m = v["model"]?.stringValue { run.model = m }
            run.items.append(HarnessImport.Item(id: id, question: prompt, answer: target))
            for (i, text) in responses.enumerated() {
                run.completions.append(HarnessImport.Completion(
                    itemID: id, temperature: temperature, sampleIndex: i, text: text, finishReason: nil, promptTokens: nil,
                    completionTokens: nil, latencyMs: nil, sourceScore: nil))
            }
        }
        run.model = modelName(samplesPath: path) ?? run.model
        if run.items.isEmpty {
            throw ImportError(description: "\(shownAs): no documents" + (options.filter.map { " with filter '\($0)' (the file has \(filters.sorted().joined(separator: ", ")))" } ?? ""))
        }
        return run
    }
}

extension LMEvalLog {
    /// The model's name from the results file lm-eval writes beside the samples
    /// (`results_DATE.json`, `model_name`), else the directory lm-eval named after the model.
    static func modelName(samplesPath path: String) -> String? {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        let dir = url.deletingLastPathComponent()
        if name.hasPrefix("samples_"), let r = name.range(of: "_", options: .backwards), name.hasSuffix(".jsonl") {
            let date = name[r.upperBound...].dropLast(".jsonl".count)
            let results = dir.appendingPathComponent("results_\(date).json").path
            if let data = FileManager.default.contents(atPath: results), let v = JSONValue.parse(data),
               let model = v["model_name"]?.stringValue, !model.isEmpty {
                return model
            }
            return dir.lastPathComponent
        }
        return nil
    }
}

/// A string, or a number written as text, or nil.
func scalarText(_ v: JSONValue?) -> String? {
    switch v {
    case .string(let s)?: s
    case .int(let i)?: String(i)
    case .double(let d)?: d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    case .bool(let b)?: String(b)
    default: nil
    }
}
