import TTSCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One writer per database: a run holds an exclusive advisory lock on `<db>.lock` for its
/// lifetime, so a second `ttsbench run` on the same database refuses at once with a clear
/// message instead of duplicating work. The lock is released by the kernel when the process
/// ends, however it ends (a SIGKILLed run never leaves a stale lock).
public final class RunLock: Sendable {
    private let fd: Int32
    public let path: String

    public init(database: String) throws {
        path = database + ".lock"
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError(message: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, 31, 0)
            let holder = n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            throw StoreError(message: "the database \(database) is in use by another ttsbench run (pid \(holder)); wait for it to finish, or use another --db")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
