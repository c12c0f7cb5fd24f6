import TTSDesign
import TTSCore
import AdaStop
import Foundation
import Yams

/// Reads a suite file into a validated `Suite`, or throws a `SuiteError` located at
/// `file:line:column` naming the key and what was expected.
public enum SuiteLoader {
    public static let maxFileBytes = 4 << 20

    /// `recordedModels` reads the databases that `kind: replay` models with a `database` name;
    /// without it such a model is refused with a located error.
    public static func load(path: String, recordedModels: (any RecordedModelLookup)? = nil) throws -> Suite {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            let why = exists ? (isDir.boolValue ? "is a directory" : "cannot be read") : "does not exist"
            throw SuiteError(file: path, line: 1, column: 1, message: "the suite file \(why)")
        }
        return try load(data: data, path: path, recordedModels: recordedModels)
    }

    public static func load(data: Data, path: String, recordedModels: (any RecordedModelLookup)? = nil) throws -> Suite {
        guard data.count <= maxFileBytes else {
            throw SuiteError(file: path, line: 1, column: 1, message: "the suite file is \(data.count) bytes; at most \(maxFileBytes) are accepted")
        }
        let text = try decodeUTF8(data, path: path)
        try checkNesting(data, path: path)
        try AliasKeyGuard.check(text, path: path)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw SuiteError(file: path, line: 1, column: 1, message: "the suite file is empty; expected a mapping with keys suite, seed, task, models, verifiers, strategies, systems")
            }
            root = node
        } catch let error as YamlError {
            throw locate(error, path: path, text: text)
        }
        let cursor = YAMLCursor(node: root, path: [], file: path, budget: NodeBudget())
        var suite = try SuiteParser(root: cursor, suitePath: path, recordedModels: recordedModels).parse()
        suite.sourceText = text
        return suite
    }

    /// Nesting deeper than any real suite is refused before composing: the composer recurses
    /// once per level, and a hostile file could otherwise exhaust the stack.
    static let maxNesting = 64
    static let maxIndent = 512

    static func checkNesting(_ data: Data, path: String) throws {
        var depth = 0, line = 1, col = 1
        var quote: UInt8? = nil
        var comment = false
        var lineStart = true, indent = 0
        for byte in data {
            defer {
                if byte == 10 { line += 1; col = 1 } else if byte & 0xC0 != 0x80 { col += 1 }
            }
            if byte == 10 { comment = false; lineStart = true; indent = 0; if quote == 39 || quote == 34 { continue }; continue }
            if lineStart {
                if byte == 32 {
                    indent += 1
                    if indent > maxIndent {
                        throw SuiteError(file: path, line: line, column: col, message: "indentation deeper than \(maxIndent) columns; suites nest a few levels at most")
                    }
                    continue
                }
                lineStart = false
            }
            if comment { continue }
            if let q = quote {
                if byte == q { quote = nil }
                continue
            }
            switch byte {
            case 35: comment = true                                // '#'
            case 34, 39: quote = byte                              // '"', "'"
            case 91, 123:                                          // '[', '{'
                depth += 1
                if depth > maxNesting {
                    throw SuiteError(file: path, line: line, column: col, message: "collections nested more than \(maxNesting) deep; suites nest a few levels at most")
                }
            case 93, 125: depth = max(0, depth - 1)                 // ']', '}'
            default: break
            }
        }
    }

    /// The next place after `start` where `key` is written as a mapping key (plain or quoted,
    /// followed by ':'), so a duplicate is reported where it is repeated.
    static func occurrence(ofKey key: String, after start: (line: Int, column: Int), in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard start.line >= 1, start.line <= lines.count else { return nil }
        let spellings = [key, "\"\(key)\"", "'\(key)'"]
        for index in (start.line - 1)..<lines.count {
            let chars = Array(lines[index])
            let from = index == start.line - 1 ? start.column : 0  // past the first occurrence
            var column = from
            while column < chars.count {
                let before: Character = column == 0 ? " " : chars[column - 1]
                if " \t{,?-".contains(before) {
                    for spelling in spellings where chars[column...].starts(with: spelling) {
                        var end = column + spelling.count
                        while end < chars.count, chars[end] == " " { end += 1 }
                        if end < chars.count, chars[end] == ":" { return (index + 1, column + 1) }
                    }
                }
                column += 1
            }
        }
        return nil
    }

    /// Invalid UTF-8 is reported at the line and column of its first bad byte.
    static func decodeUTF8(_ data: Data, path: String) throws -> String {
        if let text = String(data: data, encoding: .utf8) {
            if text.unicodeScalars.contains(where: { $0.value == 0 }) {
                let (line, col) = position(ofByte: data.firstIndex(of: 0) ?? 0, in: data)
                throw SuiteError(file: path, line: line, column: col, message: "the suite contains a NUL byte")
            }
            return text
        }
        // Find the first byte where decoding fails.
        var offset = 0
        let bytes = [UInt8](data)
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += UTF8.width(scalar)
            case .emptyInput:
                break loop
            case .error:
                offset = consumed
                break loop
            }
        }
        let (line, col) = position(ofByte: offset, in: data)
        throw SuiteError(file: path, line: line, column: col, message: "the suite is not valid UTF-8 (byte 0x\(String(bytes[min(offset, bytes.count - 1)], radix: 16)) at offset \(offset))")
    }

    private static func position(ofByte offset: Int, in data: Data) -> (Int, Int) {
        var line = 1, col = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; col = 1 } else if byte & 0xC0 != 0x80 { col += 1 }
        }
        return (line, col)
    }

    static func locate(_ error: YamlError, path: String, text: String) -> SuiteError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let ctx = context.map { "\($0.text) (at \($0.mark.line):\($0.mark.column)): " } ?? ""
            // A quoted scalar left open is found at the end of the file; where it opened is
            // what the user needs.
            if let context, problem.contains("end of stream"), context.text.contains("quoted scalar") {
                return SuiteError(file: path, line: context.mark.line, column: context.mark.column,
                                  message: "YAML syntax error: a quoted string opened here is never closed")
            }
            return SuiteError(file: path, line: mark.line, column: mark.column, message: "YAML syntax error: \(ctx)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let first = (line: context.mark.line, column: context.mark.column)
            let repeated = occurrence(ofKey: key, after: first, in: text) ?? first
            return SuiteError(file: path, line: repeated.line, column: repeated.column,
                              message: "duplicate key '\(key)' (first at line \(first.line)); each key may appear once in a mapping")
        case .reader(let problem, let offset, _, _):
            return SuiteError(file: path, line: 1, column: 1, message: "YAML reader error: \(problem)\(offset.map { " at byte \($0)" } ?? "")")
        default:
            return SuiteError(file: path, line: 1, column: 1, message: "YAML error: \(error)")
        }
    }
}

/// The walk over the composed document. One method per section; each checks keys, types,
/// ranges and references, and throws at the offending node.
struct SuiteParser {
    let root: YAMLCursor
    let suitePath: String
    /// Reads replayed databases (nil: a replay from a database is refused).
    var recordedModels: (any RecordedModelLookup)? = nil

    static let topKeys = ["suite", "seed", "task", "models", "verifiers", "strategies", "systems", "compare", "leaderboard", "description"]

    func parse() throws -> Suite {
        _ = try root.mapping(allowed: Self.topKeys, what: "a mapping with keys suite, seed, task, models, verifiers, strategies, systems")
        if let description = root.optional("description") { _ = try description.string(nonEmpty: false) }
        let nameCursor = try root.required("suite", expected: "the suite's name")
        let name = try nameCursor.identifier()
        let seed = try root.optional("seed").map { try $0.uint64() } ?? 0
        let task = try parseTask(try root.required("task", expected: "a mapping describing the items"))
        let models = try parseModels(try root.required("models", expected: "a mapping of model names to models"))
        let verifiers = try parseVerifiers(try root.required("verifiers", expected: "a mapping of verifier names to verifiers"))
        var strategies = try parseStrategies(try root.required("strategies", expected: "a mapping of strategy names to strategies"), verifiers: verifiers, models: models)
        var compare = try parseCompare(root.optional("compare"))
        var systems = try parseSystems(try root.required("systems", expected: "a matrix and/or a list of systems"),
                                       models: models, verifiers: verifiers, strategies: strategies)
        try checkComparisons(compare, systems: systems)
        let leaderboard = try parseLeaderboard(root.optional("leaderboard"), models: models)
        Variants.expand(leaderboard, strategies: &strategies, systems: &systems, compare: &compare)  // twins join before scheduling

        // Fingerprints hash canonical JSON (docs/architecture.md#fingerprints), never Swift's
        // printing of a value: renaming a type or a case changes nothing.
        let taskCanonical = canonical(task)
        let suiteFingerprint = Fingerprint.of(SuiteFingerprint(
            suite: name, seed: seed, task: taskCanonical, pool: compare.pool.rawValue,
            models: Dictionary(uniqueKeysWithValues: models.map { ($0.name, $0.fingerprint) }),
            verifiers: Dictionary(uniqueKeysWithValues: verifiers.map { ($0.name, VerifierFingerprint($0)) }),
            strategies: Dictionary(uniqueKeysWithValues: strategies.map { ($0.name, StrategyFingerprint($0)) }),
            systems: systems.map { [$0.name, $0.model, $0.strategy, $0.verifier] }))
        for i in systems.indices {
            let s = systems[i]
            let model = models.first { $0.name == s.model }!
            let strategy = strategies.first { $0.name == s.strategy }!
            let verifier = verifiers.first { $0.name == s.verifier }!
            let scorer = strategy.scorer.flatMap { name in verifiers.first { $0.name == name } }
            // A fuser, or a judge verifier/scorer: the models they call shape the numbers.
            var uses: [String: String] = [:]
            for other in strategy.referencedModels + verifier.referencedModels + (scorer?.referencedModels ?? []) {
                uses[other] = models.first { $0.name == other }?.fingerprint ?? "?"
            }
            systems[i].fingerprint = Fingerprint.of(SystemFingerprint(
                seed: seed, task: taskCanonical, model: model.fingerprint, strategy: StrategyFingerprint(strategy),
                verifier: VerifierFingerprint(verifier), scorer: scorer.map { [$0.name: VerifierFingerprint($0)] }, usesModels: uses,
                independentPool: compare.pool == .independent ? s.name : nil))
        }
        return Suite(name: name, seed: seed, path: suitePath, task: task, models: models, verifiers: verifiers,
                     strategies: strategies, systems: systems, compare: compare, fingerprint: suiteFingerprint, sourceText: "",
                     leaderboard: leaderboard)
    }

    // MARK: task

    func parseTask(_ c: YAMLCursor) throws -> TaskSpec {
        let entries = try c.mapping(allowed: ["name", "file", "generate", "prompt", "extract", "limit"])
        let name = try c.optional("name").map { try $0.identifier() } ?? "task"
        let source: TaskSpec.Source
        switch try c.exactlyOne("file", "generate", entries: entries, name: "task",
                                needs: "'task' needs either 'file' (a JSONL data set) or 'generate' (a built-in generator)") {
        case .first(let file):
            let shown = try file.string()
            let resolved = resolvePath(shown)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDir), !isDir.boolValue else {
                throw file.error("'task.file' names '\(shown)', which does not exist (looked for \(resolved))")
            }
            source = .file(path: resolved, shownAs: shown)
        case .second(let gen):
            _ = try gen.mapping(allowed: ["kind", "items", "digits", "operations"])
            let kind = try gen.required("kind", expected: "the generator, e.g. arithmetic")
            _ = try kind.oneOf(["arithmetic"])
            let items = try gen.optional("items").map { try $0.int(min: 1, max: 100_000) } ?? 200
            let digits = try gen.optional("digits").map { try $0.int(min: 1, max: 9) } ?? 3
            var ops = ["+", "-", "*"]
            if let opsCursor = gen.optional("operations") {
                ops = try opsCursor.list(what: "a list of operations among +, -, *").map { try $0.oneOf(["+", "-", "*"]) }
                if ops.isEmpty { throw opsCursor.error("'task.generate.operations' must not be empty") }
            }
            source = .arithmetic(ArithmeticSpec(items: items, digits: digits, operations: ops))
        }
        var prompt = TaskSpec.defaultPrompt
        if let p = c.optional("prompt") {
            prompt = try p.string()
            guard prompt.contains("{question}") else {
                throw p.error("'task.prompt' must contain the placeholder {question}")
            }
        }
        // Data files default to `auto` (the way real models write answers); generated tasks are
        // answered by the simulated backend, which always boxes, and keep `boxed`.
        let defaultExtract: AnswerExtraction = c.optional("file") == nil ? .boxed : .auto
        let extract = try c.optional("extract").map(parseExtract) ?? defaultExtract
        let limit = try c.optional("limit").map { try $0.int(min: 1) }
        return TaskSpec(name: name, source: source, prompt: prompt, extract: extract, limit: limit)
    }

    /// `extract: MODE` or `extract: {regex: PATTERN, group: N}` (group 1 by default).
    func parseExtract(_ c: YAMLCursor) throws -> AnswerExtraction {
        if case .mapping = c.node {
            _ = try c.mapping(allowed: ["regex", "group"])
            let patternCursor = try c.required("regex", expected: "a regular expression whose group holds the answer")
            let pattern = try patternCursor.string()
            let groupCursor = c.optional("group")
            let group = try groupCursor.map { try $0.int(min: 0) } ?? 1
            if let problem = AnswerExtraction.validateRegex(pattern, group: group) {
                throw (problem.hasPrefix("group") ? (groupCursor ?? patternCursor) : patternCursor).error("'\(c.pathString)': \(problem)")
            }
            return .regex(pattern: pattern, group: group)
        }
        let name = try c.oneOf(AnswerExtraction.names)
        return AnswerExtraction(name: name)!
    }

    func resolvePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        let base = (suitePath as NSString).deletingLastPathComponent
        return base.isEmpty ? path : (base as NSString).appendingPathComponent(path)
    }

    // MARK: systems

    func parseSystems(_ c: YAMLCursor, models: [ModelSpec], verifiers: [VerifierSpec], strategies: [StrategySpec]) throws -> [SystemSpec] {
        _ = try c.mapping(allowed: ["matrix", "list"], what: "a mapping with 'matrix' and/or 'list'")
        var systems: [SystemSpec] = []
        var seen: [String: YAMLCursor] = [:]

        let singular = ["models": "model", "strategies": "strategy", "verifiers": "verifier"]
        func reference(_ cursor: YAMLCursor, among names: [String], section: String, check: ((String) -> String?)? = nil) throws -> String {
            let name = try cursor.string()
            guard names.contains(name) else {
                let suggestion = closest(name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                throw cursor.error("'\(cursor.pathString)' names \(singular[section] ?? section) '\(name)', which is not defined in '\(section)'\(suggestion); defined: \(names.joined(separator: ", "))")
            }
            if let problem = check?(name) { throw cursor.error(problem) }
            return name
        }
        let verifierCheck: (String) -> String? = { name in
            verifiers.first { $0.name == name }!.judgesCorrectness ? nil
                : "verifier '\(name)' gives only a reward; a system's verifier must decide correctness (exact, numeric or math)"
        }

        func add(_ system: SystemSpec, at cursor: YAMLCursor) throws {
            if strategies.first(where: { $0.name == system.strategy })!.kind.continuesPartialSolutions,
               let problem = models.first(where: { $0.name == system.model })!.continuationProblem {
                throw cursor.error("system '\(system.name)': strategy '\(system.strategy)' searches step by step, but \(problem)")
            }
            if seen[system.name] != nil {
                throw cursor.error("system name '\(system.name)' is defined twice (systems must have distinct names)")
            }
            seen[system.name] = cursor
            systems.append(system)
        }

        if let matrix = c.optional("matrix") {
            _ = try matrix.mapping(allowed: ["model", "strategy", "verifier"])
            let ms = try matrix.required("model", expected: "a list of model names").list(allowScalar: true)
                .map { try reference($0, among: models.map(\.name), section: "models") }
            let ss = try matrix.required("strategy", expected: "a list of strategy names").list(allowScalar: true)
                .map { try reference($0, among: strategies.map(\.name), section: "strategies") }
            let vs = try matrix.required("verifier", expected: "a list of verifier names").list(allowScalar: true)
                .map { try reference($0, among: verifiers.map(\.name), section: "verifiers", check: verifierCheck) }
            guard !ms.isEmpty, !ss.isEmpty, !vs.isEmpty else {
                throw matrix.error("'systems.matrix' needs at least one model, strategy and verifier")
            }
            for m in ms { for s in ss { for v in vs {
                let name = vs.count > 1 ? "\(m)/\(s)/\(v)" : "\(m)/\(s)"
                try add(SystemSpec(name: name, model: m, strategy: s, verifier: v, fingerprint: ""), at: matrix)
            } } }
        }
        if let list = c.optional("list") {
            for entry in try list.list(what: "a list of {name, model, strategy, verifier}") {
                _ = try entry.mapping(allowed: ["name", "model", "strategy", "verifier"])
                let m = try reference(try entry.required("model", expected: "a model name"), among: models.map(\.name), section: "models")
                let s = try reference(try entry.required("strategy", expected: "a strategy name"), among: strategies.map(\.name), section: "strategies")
                let v = try reference(try entry.required("verifier", expected: "a verifier name"), among: verifiers.map(\.name), section: "verifiers", check: verifierCheck)
                let name = try entry.optional("name").map { try $0.identifier(allowSlash: true) } ?? "\(m)/\(s)"
                try add(SystemSpec(name: name, model: m, strategy: s, verifier: v, fingerprint: ""), at: entry)
            }
        }
        guard !systems.isEmpty else { throw c.error("'systems' defines no system; give a 'matrix' or a 'list'") }
        return systems
    }

    // MARK: compare

    func parseCompare(_ c: YAMLCursor?) throws -> CompareSpec {
        var spec = CompareSpec(metric: .accuracy, comparisons: .all, alpha: 0.05, groupSize: 5, maxInterims: 6,
                               permutations: 10_000, pool: .shared, rule: .absolute)
        guard let c else { return spec }
        _ = try c.mapping(allowed: ["metric", "comparisons", "alpha", "group_size", "max_interims", "permutations", "pool", "rule",
                                    "permutation", "futility", "budget"])
        if let m = c.optional("metric") { spec.metric = Metric(rawValue: try m.oneOf(CompareSpec.metrics.map(\.rawValue)))! }
        if let a = c.optional("alpha") { spec.alpha = try a.double(min: 0, max: 0.5, exclusiveMin: true) }
        if let g = c.optional("group_size") { spec.groupSize = try g.int(min: 1, max: 1000) }
        if let k = c.optional("max_interims") { spec.maxInterims = try k.int(min: 1, max: 100) }
        if let b = c.optional("permutations") { spec.permutations = try b.int(min: 100, max: 10_000_000) }
        if let p = c.optional("pool") { spec.pool = CompareSpec.PoolPolicy(rawValue: try p.oneOf(["shared", "independent"]))! }
        if let r = c.optional("rule") {
            spec.rule = BoundaryRule(rawValue: try r.oneOf([BoundaryRule.absolute, .adastop013].map(\.rawValue)))!
            if spec.rule == .adastop013 {
                // The reference package's test: its pairwise permutations, no early accept.
                spec.permutation = .pairwise
                spec.futility = nil
            }
        }
        if let p = c.optional("permutation") {
            spec.permutation = PermutationScheme(rawValue: try p.oneOf(PermutationScheme.allCases.map(\.rawValue)))!
            if spec.permutation != .pairwise && spec.rule != .absolute {
                throw p.error("'compare.permutation: \(spec.permutation.rawValue)' needs 'rule: absolute' (the reference's rule permutes pairs)")
            }
        }
        if let f = c.optional("futility") {
            spec.futility = try parseFutility(f)
            if spec.futility != nil && spec.rule != .absolute {
                throw f.error("'compare.futility' needs 'rule: absolute' (the reference package has no early accept); write 'futility: off'")
            }
        }
        if let b = c.optional("budget") { spec.budget = try parseBudget(b) }
        let design = c.optional("group_size") ?? c.optional("max_interims") ?? c
        (spec.designLine, spec.designColumn) = (design.line, design.column)
        if let cmp = c.optional("comparisons") {
            switch cmp.node {
            case .scalar:
                // `none`: no sequential test; every system runs one interim and is ranked by its mean.
                spec.comparisons = try cmp.oneOf(["all", "none"]) == "none" ? .pairs([]) : .all
            case .mapping:
                _ = try cmp.mapping(allowed: ["reference"])
                spec.comparisons = .reference(try cmp.required("reference", expected: "a system name").string())
            default:
                let pairs = try cmp.list(what: "'all', a list of [system, system] pairs, or {reference: system}").map { pair in
                    let items = try pair.list(what: "a pair [system, system]")
                    guard items.count == 2 else { throw pair.error("'\(pair.pathString)' must list exactly two systems, found \(items.count)") }
                    return try items.map { try $0.string() }
                }
                guard !pairs.isEmpty else { throw cmp.error("'compare.comparisons' must not be an empty list") }
                spec.comparisons = .pairs(pairs)
            }
        }
        return spec
    }

    /// `futility: off`, or `{margin_sd: X | margin: X, beta: Y}` (docs/statistics.md).
    func parseFutility(_ f: YAMLCursor) throws -> Futility? {
        if case .scalar = f.node {
            _ = try f.oneOf(["off"])
            return nil
        }
        _ = try f.mapping(allowed: ["margin_sd", "margin", "beta"])
        var futility = Futility.standard
        if let b = f.optional("beta") { futility.beta = try b.double(min: 0, max: 1, exclusiveMin: true) }
        let sd = f.optional("margin_sd"), absolute = f.optional("margin")
        if sd != nil && absolute != nil {
            throw f.error("'compare.futility' takes 'margin_sd' (in seed standard deviations) or 'margin' (in score units), not both")
        }
        if let sd { futility.margin = .standardDeviations(try sd.double(min: 0, max: 100, exclusiveMin: true)) }
        if let absolute { futility.margin = .absolute(try absolute.double(min: 0, max: 1e9, exclusiveMin: true)) }
        if futility.beta >= 1 { throw f.optional("beta")!.error("'compare.futility.beta' must be below 1") }
        return futility
    }

    /// `compare.budget: {samples, tokens, usd}`: at least one limit, each positive.
    func parseBudget(_ b: YAMLCursor) throws -> Budget {
        _ = try b.mapping(allowed: ["samples", "tokens", "usd"], what: "a mapping with 'samples', 'tokens' and/or 'usd'")
        var budget = Budget()
        if let s = b.optional("samples") { budget.samples = try s.int(min: 1, max: Int.max) }
        if let t = b.optional("tokens") { budget.tokens = try t.int(min: 1, max: Int.max) }
        if let u = b.optional("usd") { budget.usd = try u.double(min: 0, max: 1e12, exclusiveMin: true) }
        guard !budget.isEmpty else { throw b.error("'\(b.pathString)' sets no limit; give 'samples', 'tokens' and/or 'usd'") }
        return budget
    }

    /// Comparisons name systems, which exist only after expansion: checked here, at the node.
    func checkComparisons(_ spec: CompareSpec, systems: [SystemSpec]) throws {
        guard let cmp = root.optional("compare")?.optional("comparisons") else { return }
        let names = systems.map(\.name)
        func check(_ name: String, _ cursor: YAMLCursor) throws {
            guard names.contains(name) else {
                let suggestion = closest(name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                throw cursor.error("'\(cursor.pathString)' names system '\(name)', which the suite does not define\(suggestion); systems: \(names.joined(separator: ", "))")
            }
        }
        switch spec.comparisons {
        case .all: break
        case .pairs(let pairs) where pairs.isEmpty: break  // `comparisons: none`
        case .reference(let name): try check(name, try cmp.required("reference", expected: "a system name"))
        case .pairs(let pairs):
            let cursors = try cmp.list()
            var seenPairs: [Set<String>: Int] = [:]
            for (i, pair) in pairs.enumerated() {
                let items = try cursors[i].list()
                try check(pair[0], items[0])
                try check(pair[1], items[1])
                if pair[0] == pair[1] { throw cursors[i].error("'\(cursors[i].pathString)' compares system '\(pair[0])' with itself") }
                if let first = seenPairs[Set(pair)] {
                    throw cursors[i].error("'\(cursors[i].pathString)' repeats the comparison of '\(pair[0])' and '\(pair[1])' (already listed at index \(first))")
                }
                seenPairs[Set(pair)] = i
            }
        }
    }

    // MARK: canonical forms (for fingerprints)

    func canonical(_ task: TaskSpec) -> String {
        let source: String
        switch task.source {
        case .file(let path, _):
            source = "file:sha256=\(fileDigest(path))"
        case .arithmetic(let a):
            source = "arithmetic:items=\(a.items),digits=\(a.digits),ops=\(a.operations.joined())"
        }
        return "\(source)|prompt=\(task.prompt)|extract=\(task.extract.rawValue)|limit=\(task.limit.map(String.init) ?? "all")"
    }


    func fileDigest(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "unreadable" }
        return SHA256.hex(bytes: data)
    }
}

/// What a suite's fingerprint hashes.
struct SuiteFingerprint: Encodable {
    var suite: String
    var seed: UInt64
    var task: String
    var pool: String
    var models: [String: String]
    var verifiers: [String: VerifierFingerprint]
    var strategies: [String: StrategyFingerprint]
    var systems: [[String]]
}

/// What a system's fingerprint hashes: everything that determines its numbers.
struct SystemFingerprint: Encodable {
    var seed: UInt64
    var task: String
    var model: String
    var strategy: StrategyFingerprint
    var verifier: VerifierFingerprint
    var scorer: [String: VerifierFingerprint]?
    var usesModels: [String: String]
    var independentPool: String?
}

/// A strategy as fingerprinted: its kind with parameters and its decoding settings (not its name).
struct StrategyFingerprint: Encodable {
    var kind: TaggedKind
    var temperature: Double
    var topP: Double
    var maxTokens: Int
    init(_ s: StrategySpec) {
        kind = TaggedKind(s.kind)
        temperature = s.temperature
        topP = s.topP
        maxTokens = s.maxTokens
    }
}

/// A verifier as fingerprinted: its kind with parameters (not its name), encoded as the kind
/// itself (`{"exact":{"caseSensitive":false}}`).
struct VerifierFingerprint: Encodable {
    var kind: TaggedKind
    init(_ v: VerifierSpec) { kind = TaggedKind(v.kind) }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(kind)
    }
}
