import TTSCore
import TTSStore
import TTSSuite

/// Generate apart, decide together.
///
/// A sharded runner (`shard` set) runs its share of the items for every seed it is asked for
/// and records each item's outcome (`Store.recordItemOutcomes`), never a seed run: a seed run's
/// scores aggregate over all items. After `ttsbench merge`, an unsharded runner finds every
/// item of a seed run recorded and commits the seed run from those outcomes, in task order,
/// without solving an item, calling a model or a verifier: the same outcomes, so the same seed
/// run as one machine would have committed. A seed run whose items are not all recorded is run
/// as usual (its recorded samples are read back, so only the missing items cost requests).
extension Runner {
    /// The seeds below `seeds` that need no work: committed seed runs, and (sharded) seed runs
    /// whose shard items are all recorded. Unsharded, seed runs recorded item by item (merged
    /// shards) are committed here first.
    func seedsDone(_ system: SystemSpec, below seeds: Int) async throws -> Set<Int> {
        var done = Set(try await store.seedScores(systemFingerprint: system.fingerprint).keys)
        let missing = (0..<seeds).filter { !done.contains($0) }
        guard !missing.isEmpty else { return done }
        let counts = try await store.itemOutcomeCounts(systemFingerprint: system.fingerprint)
        for seed in missing where (counts[seed] ?? 0) >= task.items.count {
            if shard != nil {
                done.insert(seed)
            } else if try await commitRecordedItems(system, seedIndex: seed) {
                done.insert(seed)
            }
        }
        return done
    }

    /// Commits a seed run from its recorded item outcomes when every item of the task has one.
    func commitRecordedItems(_ system: SystemSpec, seedIndex: Int) async throws -> Bool {
        let recorded = try await store.itemOutcomes(systemFingerprint: system.fingerprint, seedIndex: seedIndex)
        var outcomes: [OutcomeRecord] = []
        outcomes.reserveCapacity(task.items.count)
        for item in task.items {
            guard let outcome = recorded[item.id] else { return false }
            outcomes.append(outcome)
        }
        try await store.commitSeedRun(SeedRunRecord(systemFingerprint: system.fingerprint, systemName: system.name, seedIndex: seedIndex,
                                                    outcomes: outcomes, price: suite.model(system.model)!.price))
        return true
    }

    /// A finished seed run: committed, or (sharded) recorded item by item.
    func commit(_ record: SeedRunRecord) async throws {
        if shard != nil {
            try await store.recordItemOutcomes(record)
        } else {
            try await store.commitSeedRun(record)
        }
    }
}
