/// Which of two keys that exclude each other a mapping sets (`YAMLCursor.exactlyOne`).
enum OneOfTwoKeys {
    case first(YAMLCursor)
    case second(YAMLCursor)
}

extension YAMLCursor {
    /// The value of the one of the keys `first` and `second` this mapping sets, when it must set
    /// exactly one of them. Neither: the error `needs`, at this node. Both: "'NAME' takes either
    /// 'first' or 'second', not both", at the first of the two keys in `entries` (the mapping's
    /// entries, as `mapping(allowed:)` gave them).
    ///
    /// ```swift
    /// switch try m.exactlyOne("database", "file", entries: entries, name: m.pathString,
    ///                         needs: "'\(m.pathString)' needs 'database' or 'file'") {
    /// case .first(let database): ...
    /// case .second(let file): ...
    /// }
    /// ```
    func exactlyOne(_ first: String, _ second: String, entries: [(key: String, value: YAMLCursor, keyCursor: YAMLCursor)],
                    name: String, needs: String) throws -> OneOfTwoKeys {
        switch (optional(first), optional(second)) {
        case (nil, nil):
            throw error(needs)
        case (.some, .some):
            let later = entries.first { $0.key == first || $0.key == second }!.keyCursor
            throw later.error("'\(name)' takes either '\(first)' or '\(second)', not both")
        case (let one?, nil):
            return .first(one)
        case (nil, let other?):
            return .second(other)
        }
    }
}
