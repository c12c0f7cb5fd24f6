@testable import TTSSuite
import Testing
@testable import TTSStrategies
@testable import TTSVerifiers

/// Each kind is declared once (TTSSuite) and made once (TTSRuntime): the two registries agree.
@Suite struct KindRegistryTests {
    @Test func everyStrategyKindHasOneStrategy() {
        let names = StrategyKinds.names
        #expect(Set(names).count == names.count)
        #expect(Set(StrategyFactory.byKind.keys) == Set(names))
        #expect(StrategyFactory.makers.count == names.count)
        let tags = StrategyKinds.all.map { $0.fingerprintTag }
        #expect(Set(tags).count == tags.count)
    }
}

extension KindRegistryTests {
    @Test func everyVerifierKindHasOneVerifier() {
        let names = VerifierKinds.names
        #expect(Set(names).count == names.count)
        #expect(Set(VerifierFactory.byKind.keys) == Set(names))
        #expect(VerifierFactory.makers.count == names.count)
        let tags = VerifierKinds.all.map { $0.fingerprintTag }
        #expect(Set(tags).count == tags.count)
    }
}
