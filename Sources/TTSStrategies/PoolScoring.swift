import TTSCore
import TTSSuite
import TTSSeams

/// The per-sample scores of a pool of N samples (`PoolScores`), computed while the strategy
/// runs so that the leaderboard's exact estimators (maj@k, best-of-k, pass@k) never verify
/// anything again: each sample's answer class under the verifier's voting key, whether the
/// class is correct (each class verified once), and the scorer's rewards when given.
enum PoolScoring {
    static func scores(_ samples: [Sample], item: TaskItem, verifier: any Verifier, rewards: [Double?]? = nil) async throws -> PoolScores {
        var classes: [Int?] = []
        var keys: [String: Int] = [:]
        var verdicts: [Int: Bool] = [:]
        var correct: [Bool] = []
        for sample in samples {
            guard sample.error == nil, let answer = sample.answer else {
                classes.append(nil)
                correct.append(false)
                continue
            }
            let key = verifier.votingKey(answer)
            let label = keys[key] ?? keys.count
            keys[key] = label
            if verdicts[label] == nil {
                verdicts[label] = (try await verifier.verify(Candidate(text: answer, answer: answer), item: item)).correct ?? false
            }
            classes.append(label)
            correct.append(verdicts[label]!)
        }
        return PoolScores(classes: classes, correct: correct, rewards: rewards)
    }
}
