import TTSCore
import Foundation

/// Reads an Inspect AI evaluation log written with `--log-format json`: `eval` (task, model,
/// `model_generate_config`), `plan.config` and `samples`, each with `id`, `epoch`, `input`,
/// `target`, `output` (`completion`, `choices[0].stop_reason`, `usage`, `time`), `scores`, `error`.
///
///     let run = try InspectLog.read(path: "logs/2026-...json", shownAs: "...", options: .init())
///
/// - Sample `id` is the item id, items in the dataset's order (`eval.dataset.sample_ids`); an
///   item's epochs in order are its repeats 0, 1, ... (sample_index).
/// - The question is the input (a string, or the text of its user messages); the answer is the
///   target (the first one when the target is a list).
/// - The temperature is `eval.model_generate_config.temperature` (else `plan.config`), unless
///   `options.temperature` overrides it; a log that records none needs the override (the
///   provider's default is not in the log).
/// - A sample that ended in an error is left out and listed in `skipped`.
/// - `.eval` logs (Inspect's default format: a zip archive of zstd-compressed JSON entries) are
///   read as the JSON log they hold (`header.json` and `samples/*.json`).
public enum InspectLog {
    public struct Options: Sendable {
        public var temperature: Double?
        public init(temperature: Double? = nil) { self.temperature = temperature }
    }

    public static func read(path: String, shownAs: String, options: Options = .init()) throws(ImportError) -> HarnessImport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError(description: "cannot read the Inspect log \(shownAs)")
        }
        let log: JSONValue
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            log = try evalArchive(Array(data), shownAs: shownAs)
        } else {
            guard let parsed = JSONValue.parse(data), parsed.objectValue != nil else {
                throw ImportError(description: "\(shownAs): not a JSON object (an Inspect log written with --log-format json, or an .eval archive)")
            }
            log = parsed
        }
        guard let eval = log["eval"], eval.objectValue != nil else {
            throw ImportError(description: "\(shownAs): has no 'eval' header (not an Inspect evaluation log)")
        }
        let status = log["status"]?.stringValue ?? "unknown"
        guard let samples = log["samples"]?.arrayValue else {
            throw ImportError(description: "\(shownAs): has no samples (status \(status); run inspect with log_samples on)")
        }
        let logTemperature = eval["model_generate_config"]?["temperature"]?.doubleValue ?? log["plan"]?["config"]?["temperature"]?.doubleValue
        guard let temperature = options.temperature ?? logTemperature else {
            throw ImportError(description: "\(shownAs): the log records no temperature (Inspect ran with the provider's default); pass --temperature T")
        }
        var run = HarnessImport(harness: "inspect", task: eval["task"]?.stringValue ?? "unknown",
                                model: eval["model"]?.stringValue ?? "unknown", sources: [shownAs])
        var answers: [String: String] = [:]
        var epochs: [String: Set<Int>] = [:]
        var found: [(id: String, epoch: Int, completion: HarnessImport.Completion)] = []
        for (position, s) in samples.enumerated() {
            guard let id = scalarText(s["id"]) else {
                throw ImportError(description: "\(shownAs): sample \(position + 1) of \(samples.count) has no id")
            }
            let at = "\(shownAs): sample \(id)"
            guard let epoch = s["epoch"]?.intValue, epoch >= 1 else {
                throw ImportError(description: "\(at): needs epoch (1, 2, ...)")
            }
            let where_ = "\(at) epoch \(epoch)"
            guard let target = scalarText(s["target"]) ?? s["target"]?.arrayValue?.first.flatMap(scalarText) else {
                throw ImportError(description: "\(where_): needs target (a string or a list of strings)")
            }
            if let before = answers[id], before != target {
                throw ImportError(description: "\(where_): target \(quoted(target)) differs from another epoch's \(quoted(before))")
            }
            if answers[id] == nil {
                answers[id] = target
                run.items.append(HarnessImport.Item(id: id, question: inputText(s["input"]), answer: target))
            }
            guard epochs[id, default: []].insert(epoch).inserted else {
                throw ImportError(description: "\(where_): appears twice")
            }
            if let error = s["error"], error != .null {
                let message = error["message"]?.stringValue ?? error.canonicalString
                run.skipped.append("\(where_): ended in an error: \(message.prefix(200))")
                continue
            }
            guard let output = s["output"], output.objectValue != nil else {
                throw ImportError(description: "\(where_): has no output")
            }
            let content = output["choices"]?.arrayValue?.first?["message"]?["content"]
            guard let text = output["completion"]?.stringValue ?? content?.stringValue ?? Self.blocks(content, type: "text", field: "text") else {
                throw ImportError(description: "\(where_): output has no completion text")
            }
            // Reasoning models: Inspect records the thinking as content blocks of type "reasoning".
            let reasoning = Self.blocks(content, type: "reasoning", field: "reasoning")
            let usage = output["usage"]
            let score = s["scores"]?.objectValue.flatMap { scores in
                scores.keys.sorted().first.flatMap { name in scores[name]?["value"].flatMap(scalarText).map { "\(name)=\($0)" } }
            }
            let stop = output["choices"]?.arrayValue?.first?["stop_reason"]?.stringValue
            found.append((id, epoch, HarnessImport.Completion(
                itemID: id, temperature: temperature, sampleIndex: 0, text: text,
                finishReason: stop == "max_tokens" ? "length" : stop,
                promptTokens: usage?["input_tokens"]?.intValue, completionTokens: usage?["output_tokens"]?.intValue,
                latencyMs: output["time"]?.doubleValue.map { $0 * 1000 }, sourceScore: score, reasoning: reasoning)))
        }
        // Epoch order within an item: sample_index 0, 1, ... in epoch order (errored epochs leave no gap).
        var next: [String: Int] = [:]
        for f in found.sorted(by: { ($0.id, $0.epoch) < ($1.id, $1.epoch) }) {
            var c = f.completion
            c.sampleIndex = next[f.id, default: 0]
            next[f.id, default: 0] += 1
            run.completions.append(c)
        }
        if run.items.isEmpty { throw ImportError(description: "\(shownAs): the log has no samples") }
        // The dataset's order (the log lists samples as they finished).
        if let ids = eval["dataset"]?["sample_ids"]?.arrayValue?.compactMap(scalarText) {
            let rank = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            run.items = run.items.enumerated().sorted { a, b in
                (rank[a.element.id] ?? Int.max, a.offset) < (rank[b.element.id] ?? Int.max, b.offset)
            }.map(\.element)
        }
        return run
    }

    /// An `.eval` archive as the JSON log it stands for: `header.json` (eval, plan, status, ...)
    /// with `samples` from `samples/ID_epoch_N.json`. Every entry is read and checked (CRC-32,
    /// size, zstd checksum), the ones not imported too, and a finished run's archive must hold
    /// as many samples as its header counts: a damaged archive is an error, never a partial import.
    static func evalArchive(_ bytes: [UInt8], shownAs: String) throws(ImportError) -> JSONValue {
        do {
            let zip = try ZipArchive(bytes)
            var header: [String: JSONValue]?
            var samples: [JSONValue] = []
            for entry in zip.entries {
                let contents = try zip.contents(of: entry)
                if entry.name == "header.json" {
                    guard case .object(let h)? = JSONValue.parse(contents) else {
                        throw ImportError(description: "\(shownAs): header.json is not a JSON object")
                    }
                    header = h
                } else if entry.name.hasPrefix("samples/") && entry.name.hasSuffix(".json") {
                    guard let sample = JSONValue.parse(contents), sample.objectValue != nil else {
                        throw ImportError(description: "\(shownAs): \(ZipArchive.shown(entry.name)) is not a JSON object")
                    }
                    samples.append(sample)
                }
            }
            guard var header else {
                throw ImportError(description: "\(shownAs): an .eval archive without header.json (an unfinished run?)")
            }
            if header["status"]?.stringValue == "success", let total = header["results"]?["total_samples"]?.intValue, samples.count != total {
                throw ImportError(description: "\(shownAs): header.json counts \(total) samples, the archive holds \(samples.count) sample entries (a damaged archive)")
            }
            header["samples"] = .array(samples)
            return .object(header)
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError(description: "\(shownAs): \(error)")
        }
    }

    /// The `field` of the content blocks of `type` of a message's content list, joined by blank
    /// lines; nil when the content is not a list or has no such block.
    static func blocks(_ content: JSONValue?, type: String, field: String) -> String? {
        guard let list = content?.arrayValue else { return nil }
        let parts = list.compactMap { $0["type"]?.stringValue == type ? $0[field]?.stringValue : nil }
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }

    /// The input as text: a string, or the user messages' text joined by blank lines.
    static func inputText(_ input: JSONValue?) -> String {
        if let s = input?.stringValue { return s }
        let parts = (input?.arrayValue ?? []).compactMap { m -> String? in
            guard m["role"]?.stringValue == "user" else { return nil }
            if let s = m["content"]?.stringValue { return s }
            return m["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        }
        return parts.joined(separator: "\n\n")
    }
}
