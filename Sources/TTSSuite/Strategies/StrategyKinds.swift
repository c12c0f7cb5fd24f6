/// The registry of strategy kinds: one line per kind, in the order error messages list them.
enum StrategyKinds {
    static let all: [any ParsableStrategyKind.Type] = [
        SingleKind.self,
        MajorityKind.self,
        BestOfNKind.self,
        WeightedMajorityKind.self,
        MultiTemperatureKind.self,
        FusionKind.self,
        FirstFinishKind.self,
        LastFinishKind.self,
        RefineKind.self,
        BudgetForcingKind.self,
        BeamSearchKind.self,
        DVTSKind.self,
        ParticleFilteringKind.self,
        AdaptiveConsistencyKind.self,
        ESCKind.self,
        ConfidenceConsistencyKind.self,
    ]

    static let names = all.map { $0.name }

    static func named(_ name: String) -> (any ParsableStrategyKind.Type)? {
        all.first { $0.name == name }
    }
}
