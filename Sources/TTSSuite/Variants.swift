import TTSCore
import Foundation

/// The suite's `leaderboard:` section.
///
/// ```yaml
/// leaderboard:
///   variants: [multi_temperature, fusion]
///   multi_temperature: {temperatures: [0.4, 0.8, 1.2]}
///   fusion: {fuser: strong}
/// ```
public struct LeaderboardSpec: Sendable, Equatable {
    public enum Variant: String, Sendable, CaseIterable {
        case multiTemperature = "multi_temperature"
        case fusion
    }
    public var variants: [Variant] = []
    public var temperatures: [Double] = [0.4, 0.8, 1.2]
    /// The fuser model; nil means self-fusion (the base system's own model).
    public var fuser: String? = nil

    public init() {}
}

/// Twins of sampling systems, derived for the leaderboard (docs/leaderboard.md#variants).
///
/// For each base sampling system (majority, best_of_n, weighted_majority) and each configured
/// variant, a twin system is added to the suite *before scheduling*, so AdaStop compares it like
/// any other system:
/// - `multi_temperature`: the same N spread over the configured temperatures (the
///   multi_temperature strategy with its defaults);
/// - `fusion`: the same N samples (same pool, temperature and indices as the base) fused by the
///   configured fuser model.
///
/// Names are derived: strategy `BASE~VARIANT`, system `BASE_SYSTEM~VARIANT`. `~` cannot occur in
/// a user-written name, so the database alone tells a twin and its base apart. Two bases that
/// would give the same twin (same model, verifier, N, temperature and decoding limits, e.g.
/// `maj8` and `bon8`) give it once, to the first of them in suite order.
public enum Variants {
    public static let separator: Character = "~"

    /// (variant_of, variant) of a system as recorded: (nil, nil) for a base system.
    public static func parse(systemName: String, strategy: String) -> (String?, String?) {
        guard let cut = systemName.lastIndex(of: separator) else { return (nil, nil) }
        let variant = String(systemName[systemName.index(after: cut)...])
        guard LeaderboardSpec.Variant(rawValue: variant) != nil, strategy.hasSuffix("\(separator)\(variant)") else { return (nil, nil) }
        return (String(systemName[..<cut]), variant)
    }

    /// Whether a strategy is a base for twins: it draws N samples at one temperature and
    /// combines them (majority, best_of_n, weighted_majority).
    static func baseSamples(_ s: StrategySpec) -> Int? { s.kind.variantBaseSamples }

    static func twinStrategy(of base: StrategySpec, variant: LeaderboardSpec.Variant, spec: LeaderboardSpec) -> StrategySpec? {
        guard let n = baseSamples(base) else { return nil }
        let name = "\(base.name)\(separator)\(variant.rawValue)"
        switch variant {
        case .multiTemperature:
            let temperatures = spec.temperatures
            guard n >= temperatures.count else { return nil }
            var p = MultiTemperatureParameters(temperatures: temperatures, n: n, minPerTemperature: 2, tauIntra: 0.6, tauCross: 1.0,
                                               finalRule: .pooled)
            p.minPerTemperature = min(2, p.allocation.min()!)
            return StrategySpec(name: name, kind: MultiTemperatureKind(p), temperature: temperatures[0], topP: base.topP, maxTokens: base.maxTokens)
        case .fusion:
            let p = FusionParameters(n: n, fuser: spec.fuser, fuserTemperature: 0, prompt: FusionParameters.defaultPrompt,
                                     maxCandidateChars: 4000)
            return StrategySpec(name: name, kind: FusionKind(p), temperature: base.temperature, topP: base.topP, maxTokens: base.maxTokens)
        }
    }

    /// Adds the twins to the strategies and systems (after each base system's last twin-less
    /// neighbour: twins follow their base in suite order), and, when the comparisons are an
    /// explicit list of pairs, a (base, twin) pair for each twin.
    static func expand(_ spec: LeaderboardSpec, strategies: inout [StrategySpec], systems: inout [SystemSpec],
                       compare: inout CompareSpec) {
        guard !spec.variants.isEmpty else { return }
        var out: [SystemSpec] = []
        var seenTwins = Set<String>()
        var twinsAdded: [(base: String, twin: String)] = []
        for system in systems {
            out.append(system)
            guard let base = strategies.first(where: { $0.name == system.strategy }), let n = baseSamples(base) else { continue }
            for variant in spec.variants {
                guard let twin = twinStrategy(of: base, variant: variant, spec: spec) else { continue }
                // Same model, verifier, N, temperature and decoding limits: the same twin.
                let key = "\(system.model)|\(system.verifier)|\(variant.rawValue)|\(n)|\(base.temperature)|\(base.topP)|\(base.maxTokens)"
                guard seenTwins.insert(key).inserted else { continue }
                if !strategies.contains(where: { $0.name == twin.name }) { strategies.append(twin) }
                let name = "\(system.name)\(separator)\(variant.rawValue)"
                out.append(SystemSpec(name: name, model: system.model, strategy: twin.name, verifier: system.verifier, fingerprint: ""))
                twinsAdded.append((system.name, name))
            }
        }
        systems = out
        if case .pairs(var pairs) = compare.comparisons {
            for (base, twin) in twinsAdded { pairs.append([base, twin]) }
            compare.comparisons = .pairs(pairs)
        }
    }
}

extension SuiteParser {
    /// The `leaderboard:` section (optional). Errors are located at the offending node.
    func parseLeaderboard(_ c: YAMLCursor?, models: [ModelSpec]) throws -> LeaderboardSpec {
        var spec = LeaderboardSpec()
        guard let c else { return spec }
        _ = try c.mapping(allowed: ["variants", "multi_temperature", "fusion"],
                          what: "a mapping with 'variants' (and 'multi_temperature', 'fusion' settings)")
        if let v = c.optional("variants") {
            let choices = LeaderboardSpec.Variant.allCases.map(\.rawValue)
            for entry in try v.list(what: "a list of variants among \(choices.joined(separator: ", "))", allowScalar: true) {
                let variant = LeaderboardSpec.Variant(rawValue: try entry.oneOf(choices))!
                if spec.variants.contains(variant) { throw entry.error("'\(entry.pathString)' repeats variant '\(variant.rawValue)'") }
                spec.variants.append(variant)
            }
        }
        if let mt = c.optional("multi_temperature") {
            _ = try mt.mapping(allowed: ["temperatures"])
            let listCursor = try mt.required("temperatures", expected: "a list of sampling temperatures, e.g. [0.4, 0.8, 1.2]")
            var temperatures: [Double] = []
            for t in try listCursor.list(what: "a list of sampling temperatures, e.g. [0.4, 0.8, 1.2]") {
                let value = try t.double(min: 0, max: 5)
                if temperatures.contains(value) { throw t.error("'\(t.pathString)' repeats temperature \(shortNumber(value)); temperatures must be distinct") }
                temperatures.append(value)
            }
            guard !temperatures.isEmpty else { throw listCursor.error("'\(listCursor.pathString)' must not be empty") }
            spec.temperatures = temperatures.sorted()
            if !spec.variants.contains(.multiTemperature) {
                throw mt.error("'leaderboard.multi_temperature' configures a variant that 'leaderboard.variants' does not list")
            }
        }
        if let f = c.optional("fusion") {
            _ = try f.mapping(allowed: ["fuser"])
            if let fuserCursor = f.optional("fuser") {
                let fuser = try fuserCursor.string()
                guard models.contains(where: { $0.name == fuser }) else {
                    let suggestion = closest(fuser, in: models.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
                    throw fuserCursor.error("'\(fuserCursor.pathString)' names model '\(fuser)', which is not defined in 'models'\(suggestion) (defined: \(models.map(\.name).joined(separator: ", ")))")
                }
                spec.fuser = fuser
            }
            if !spec.variants.contains(.fusion) {
                throw f.error("'leaderboard.fusion' configures a variant that 'leaderboard.variants' does not list")
            }
        }
        return spec
    }
}
