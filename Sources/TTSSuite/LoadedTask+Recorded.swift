extension LoadedTask {
    /// A task known by its spec and digest without its items: a recorded suite whose data file
    /// is not at hand (the viewer still finds its samples' pools, which depend on the digest only).
    ///
    /// ```swift
    /// let task = LoadedTask(recorded: suite.task, digest: record.taskDigest)
    /// ```
    public init(recorded spec: TaskSpec, digest: String) {
        self.init(spec: spec, items: [], digest: digest)
    }
}
