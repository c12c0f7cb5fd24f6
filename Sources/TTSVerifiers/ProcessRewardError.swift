/// A PRM returned another number of scores than there are steps, or none at all.
public struct ProcessRewardError: Error, CustomStringConvertible, Sendable {
    public var verifier: String
    public var message: String
    public var description: String { "process reward verifier '\(verifier)': \(message)" }
}
