/// `kind: code`: runs the candidate's code against the item's tests in a sandbox (see `CodeVerifier`).
public struct CodeKind: ParsableVerifierKind, Equatable {
    public static let name = "code"
    public static let fingerprintTag = "code"

    public var limits: SandboxLimits
    public init(_ limits: SandboxLimits = SandboxLimits()) { self.limits = limits }
    // The canonical JSON of the enum case this replaced, `code(SandboxLimits)`.
    enum CodingKeys: String, CodingKey { case limits = "_0" }

    public var modelCallsPerVerification: [(model: String, calls: Int)] { [] }
    public var endpointCallsPerVerification: EndpointCalls? { nil }

    static func parse(_ v: YAMLCursor, parser: SuiteParser) throws -> Self {
        _ = try v.mapping(allowed: ["kind", "timeout", "memory_mb", "max_processes", "network"])
        var limits = SandboxLimits()
        if let t = v.optional("timeout") { limits.timeout = try t.double(min: 0.1, max: 3600) }
        if let m = v.optional("memory_mb") { limits.memoryMB = try m.int(min: 32, max: 1 << 20) }
        if let p = v.optional("max_processes") { limits.maxProcesses = try p.int(min: 1, max: 4096) }
        if let n = v.optional("network") { limits.allowNetwork = try n.oneOf(["none", "allowed"]) == "allowed" }
        return Self(limits)
    }
}
