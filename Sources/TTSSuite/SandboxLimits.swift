import Foundation

/// Resource limits of the code verifier's sandbox (`kind: code`).
public struct SandboxLimits: Sendable, Hashable, Codable {
    /// Wall-clock seconds; CPU seconds are the same number, rounded up.
    public var timeout: Double = 10
    public var memoryMB: Int = 512
    public var maxProcesses: Int = 16
    public var fileSizeMB: Int = 16
    public var allowNetwork: Bool = false
    public init(timeout: Double = 10, memoryMB: Int = 512, maxProcesses: Int = 16, fileSizeMB: Int = 16, allowNetwork: Bool = false) {
        self.timeout = timeout
        self.memoryMB = memoryMB
        self.maxProcesses = maxProcesses
        self.fileSizeMB = fileSizeMB
        self.allowNetwork = allowNetwork
    }
}

