import TTSSuite

/// A backend that can play an LLM judge without a server (the simulated model): `JudgeVerifier`
/// asks it directly instead of sending the judge prompt through `generate`. The runtime hands
/// the simulated judges in (`VerifierResources.simulatedJudges`).
public protocol SimulatedJudging: Sendable {
    func simulatedJudgement(item: TaskItem, candidate: Candidate, seed: UInt64, promptTokens: Int) -> Completion
}
