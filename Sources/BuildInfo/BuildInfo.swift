/// The ttsbench release version.
public enum TTSBenchVersion {
    public static let version = "0.4.0"
}

/// What this binary was built from, stamped at build time by the BuildStamp plugin
/// (Plugins/BuildStamp): never read from the checkout or directory the binary later runs in.
public enum BuildInfo {
    /// A resolved Swift package dependency: its identity in Package.resolved and its version
    /// (the branch or revision for a pin without a version).
    public struct Dependency: Sendable, Hashable, Codable {
        public var name: String
        public var version: String

        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    /// The ttsbench release version (`TTSBenchVersion.version`).
    public static let version = TTSBenchVersion.version

    /// `git rev-parse HEAD` of the ttsbench checkout at build time (40 hex digits), or "unknown"
    /// when git or the repository was absent.
    public static let commit: String = BuildStamp.commit

    /// The resolved dependency versions from Package.resolved at build time, sorted by name;
    /// empty when the package had no Package.resolved.
    public static let dependencies: [Dependency] = BuildStamp.dependencies.map { Dependency(name: $0.name, version: $0.version) }

    /// `ttsbench 0.3.0 (commit <40 hex>)`.
    public static var summary: String { "ttsbench \(version) (commit \(commit))" }

    /// `summary`, then one `  name version` line per dependency.
    public static var versionText: String {
        ([summary] + dependencies.map { "  \($0.name) \($0.version)" }).joined(separator: "\n")
    }
}
