extension Suite {
    /// Whether `system` is deterministic: one greedy sample per item (`kind: single` at
    /// temperature 0) on a model that answers temperature 0 the same way for every seed
    /// (`ModelSpec.deterministicAtZero`). Its seed scores cannot vary, so it generates one seed's
    /// samples and reads them for every seed index (the sample pool does so for every
    /// temperature-0 sample of such a model), and reports show its seeds as one.
    public func isDeterministic(_ system: SystemSpec) -> Bool {
        guard let model = model(system.model), model.deterministicAtZero, let strategy = strategy(system.strategy) else { return false }
        return strategy.kind is SingleKind && strategy.temperature == 0
    }
}
