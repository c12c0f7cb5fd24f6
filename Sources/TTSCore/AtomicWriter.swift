import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or directory that cannot be written; the message names the path and the reason.
public struct FileWriteError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}

private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}

/// Writes files atomically (temporary file in the same directory, flushed, then renamed over the
/// target): a reader sees the old file or the new one, never a partial leaderboard. On any failure
/// (read-only file system, full disk, a directory in the way) the temporary file is removed and
/// the error names the path and the system's reason.
public enum AtomicWriter {
    public static func write(_ text: String, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try createDirectory(dir.isEmpty ? "." : dir)
        let name = (path as NSString).lastPathComponent
        let temp = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, errno) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                throw failure(path, e)
            }
            written += n
        }
        if fsync(fd) != 0 && errno != EINVAL && errno != EROFS {
            let e = errno
            close(fd)
            throw failure(path, e)
        }
        if close(fd) != 0 { throw failure(path, errno) }
        guard rename(temp, path) == 0 else { throw failure(path, errno) }
        ok = true
    }

    /// Fails now, with the same message a final write would give, when `directory` cannot be
    /// created or written: `run` calls it before generating anything.
    public static func checkWritable(_ directory: String) throws {
        try createDirectory(directory)
        let probe = directory + "/.ttsbench-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(directory, errno, what: "cannot write to the output directory") }
        close(fd)
        unlink(probe)
    }

    static func createDirectory(_ dir: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw FileWriteError(message: "cannot create the output directory \(dir): a file of that name is in the way")
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw FileWriteError(message: "cannot create the output directory \(dir): \(reason(error))")
        }
    }

    static func failure(_ path: String, _ code: Int32, what: String = "cannot write") -> FileWriteError {
        FileWriteError(message: "\(what) \(path): \(String(cString: strerror(code)))")
    }

    /// The POSIX reason under a Foundation error ("Not a directory", "Read-only file system"...).
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let under = ns.userInfo[NSUnderlyingErrorKey] as? NSError, under.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(under.code)))
        }
        return ns.localizedDescription
    }
}
