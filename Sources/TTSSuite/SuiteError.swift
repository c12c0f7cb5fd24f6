import TTSCore
/// A problem in a suite file, located at `file:line:column` (1-based, as editors count).
public struct SuiteError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = max(line, 1)
        self.column = max(column, 1)
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}
