import TTSSuite
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs untrusted Python (a candidate solution and its tests) in a sandbox:
///
/// - a fresh temporary directory as the working directory, removed afterwards;
/// - `python3 -I -B` (isolated mode: no `PYTHON*` variables, no user site, no bytecode written)
///   with a scrubbed environment;
/// - where the machine allows it (root, `unshare`): new network, mount and pid namespaces. The
///   network namespace has no interface but a downed loopback, so nothing is reachable; in the
///   mount namespace `/tmp`, `/var/tmp`, `/dev/shm` and `/run/lock` are covered by read-only
///   tmpfs, the work directory being bind-mounted at `/tmp/sandbox`; the supervisor is pid 1 of
///   the pid namespace, so when it exits the kernel kills every process the candidate started;
/// - the candidate runs in a child of the supervisor with rlimits (address space, CPU seconds,
///   file size, no core dumps, open files) and, when we are root, under a uid of its own, so
///   that `RLIMIT_NPROC` applies (root ignores it) and nothing outside the work directory is
///   writable;
/// - a Python audit hook refuses internet sockets and writes outside the work directory, and
///   records the attempt, so the verdict gives the reason (the namespaces are the barrier; the
///   hook gives the diagnosis, and is the only network guard in the fallback);
/// - a wall-clock limit enforced twice: by the supervisor (which kills the namespace) and by
///   this process (which kills the sandbox's process group);
/// - bounded output: at most `outputLimit` bytes of stdout and of stderr are kept.
///
/// The supervisor reports one line, `<nonce> <json>`, on fd 3. The nonce is sent on stdin and
/// only the supervisor reads it, so a candidate cannot print a forged result. (A candidate that
/// deliberately introspects the harness's memory could still forge one: the sandbox protects
/// the machine; it is not an anti-cheating device.)
public struct Sandbox: Sendable {
    public typealias Limits = SandboxLimits

    public enum Status: String, Sendable {
        case passed, failed, syntax, missing, error, memory, timeout, crashed, processes, filesize, network, filesystem, exit, setup
    }

    public struct Result: Sendable {
        public var status: Status
        /// The reason, e.g. "failed assertion (tests line 3: assert ...)".
        public var message: String
        public var stdout: String
        public var stderr: String
        public var seconds: Double
        /// The uid the candidate ran under (nil when not root) and its work directory (removed).
        public var uid: UInt32? = nil
        public var workdir: String = ""
    }

    /// What isolation this machine allows, probed once.
    public struct Isolation: Sendable, CustomStringConvertible {
        /// Path of `unshare` when new namespaces work here.
        public var unshare: String?
        /// Whether the namespaces are entered through a user namespace (not root).
        public var userNamespace: Bool
        /// Whether the candidate runs under a uid of its own (we are root).
        public var ownUID: Bool
        public var python: String

        public var description: String {
            var parts: [String] = []
            if unshare != nil {
                parts.append("network, mount and pid namespaces" + (userNamespace ? " (in a user namespace)" : ""))
            } else {
                parts.append("no namespaces (network refused by the Python audit hook only)")
            }
            parts.append(ownUID ? "own uid per run" : "same uid")
            parts.append("python \(python)")
            return parts.joined(separator: "; ")
        }
    }

    public var limits: Limits
    public static let outputLimit = 16 * 1024

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Probed on first use: which interpreter, and whether `unshare` works here.
    public static let isolation: Isolation = probe()

    /// At most this many sandboxes at once in this process (each is a python process tree).
    public static let slots = SandboxSlots(limit: max(2, ProcessInfo.processInfo.activeProcessorCount * 2))

    /// Runs `solution` then `tests` and, when `entryPoint` is given, `check(entryPoint)`.
    public func run(solution: String, tests: String, entryPoint: String?) async -> Result {
        await Self.slots.acquire()
        let limits = limits
        let result: Result = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.runBlocking(solution: solution, tests: tests, entryPoint: entryPoint, limits: limits))
            }
        }
        await Self.slots.release()
        return result
    }

    // MARK: the run

    static func runBlocking(solution: String, tests: String, entryPoint: String?, limits: Limits) -> Result {
        let started = Date()
        func fail(_ message: String) -> Result {
            Result(status: .setup, message: "sandbox setup failed: \(message)", stdout: "", stderr: "", seconds: Date().timeIntervalSince(started))
        }
        let iso = isolation
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("ttsbench-sandbox-XXXXXX").utf8CString)
        guard let dirPointer = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            return fail("cannot create a temporary directory (errno \(errno))")
        }
        let workdir = String(cString: dirPointer)
        defer { removeTree(workdir) }
        let uid: UInt32? = iso.ownUID ? UInt32.random(in: 2_000_000_000..<2_100_000_000) : nil
        do {
            try Data(solution.utf8).write(to: URL(fileURLWithPath: workdir + "/solution.py"))
            try Data(tests.utf8).write(to: URL(fileURLWithPath: workdir + "/test.py"))
        } catch {
            return fail("cannot write the program: \(error)")
        }
        if let uid {
            for path in [workdir, workdir + "/solution.py", workdir + "/test.py"] { _ = chown(path, uid, uid) }
        }
        let cpu = Int(limits.timeout.rounded(.up))
        var config: [String: Any] = [
            "workdir": workdir, "solution": "solution.py", "test": "test.py",
            "memory_mb": limits.memoryMB, "cpu_seconds": max(1, cpu), "wall_seconds": limits.timeout,
            "fsize_mb": limits.fileSizeMB, "max_processes": limits.maxProcesses,
            "network": limits.allowNetwork, "private_tmp": iso.unshare != nil,
        ]
        if let entryPoint { config["entry_point"] = entryPoint }
        if let uid { config["uid"] = Int(uid) }
        guard let configData = try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .withoutEscapingSlashes]),
              let configJSON = String(data: configData, encoding: .utf8) else { return fail("cannot encode the configuration") }

        var argv: [String] = []
        if let unshare = iso.unshare {
            argv = [unshare]
            if iso.userNamespace { argv.append("--map-root-user") }
            argv += limits.allowNetwork ? [] : ["--net"]
            argv += ["--mount", "--pid", "--fork", "--kill-child"]
        }
        argv += [iso.python, "-I", "-B", "-c", SandboxRunnerScript.source, configJSON]
        let env = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
                   "HOME=\(iso.unshare != nil ? "/tmp/sandbox" : workdir)", "TMPDIR=\(iso.unshare != nil ? "/tmp/sandbox" : workdir)"]

        let nonce = String(UInt64.random(in: 1...UInt64.max), radix: 16) + String(UInt64.random(in: 1...UInt64.max), radix: 16)
        let outerDeadline = limits.timeout + 5
        let run: SpawnedRun
        do {
            run = try spawnAndCollect(argv: argv, env: env, stdin: nonce + "\n", deadline: outerDeadline, outputLimit: outputLimit)
        } catch {
            return fail("\(error)")
        }
        let seconds = Date().timeIntervalSince(started)
        let stdout = String(decoding: run.stdout, as: UTF8.self)
        let stderr = String(decoding: run.stderr, as: UTF8.self)
        let resultText = String(decoding: run.fd3, as: UTF8.self)
        for line in resultText.split(separator: "\n") where line.hasPrefix(nonce + " ") {
            let json = line.dropFirst(nonce.count + 1)
            if let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
               let raw = object["status"] as? String {
                let status = Status(rawValue: raw) ?? .crashed
                return Result(status: status, message: object["message"] as? String ?? raw, stdout: stdout, stderr: stderr, seconds: seconds,
                              uid: uid, workdir: workdir)
            }
        }
        if run.timedOut {
            return Result(status: .timeout, message: "timeout: the sandbox did not finish within \(outerDeadline) s and was killed",
                          stdout: stdout, stderr: stderr, seconds: seconds, uid: uid, workdir: workdir)
        }
        let lastLine = stderr.split(separator: "\n").last.map { String($0.prefix(200)) } ?? ""
        return Result(status: .crashed, message: "crashed: the sandbox supervisor gave no result (\(run.exitDescription))\(lastLine.isEmpty ? "" : ": " + lastLine)",
                      stdout: stdout, stderr: stderr, seconds: seconds, uid: uid, workdir: workdir)
    }

    struct SpawnedRun {
        var stdout = Data()
        var stderr = Data()
        var fd3 = Data()
        var timedOut = false
        var exitDescription = ""
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Spawns `argv` in a new process group with stdin, stdout, stderr and fd 3 on pipes, reads
    /// them (keeping at most `outputLimit` bytes of each), and kills the process group when the
    /// deadline passes.
    static func spawnAndCollect(argv: [String], env: [String], stdin input: String, deadline: Double, outputLimit: Int) throws -> SpawnedRun {
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1], resPipe: [Int32] = [-1, -1]
        func makePipe(_ fds: inout [Int32]) -> Bool {
            guard pipe(&fds) == 0 else { return false }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return true
        }
        guard makePipe(&inPipe), makePipe(&outPipe), makePipe(&errPipe), makePipe(&resPipe) else {
            let code = errno
            for fd in inPipe + outPipe + errPipe + resPipe where fd >= 0 { close(fd) }
            throw SpawnError(description: "pipe failed (errno \(code))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_adddup2(&actions, resPipe[1], 3)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // A new process group (killed as a whole on timeout), default signal dispositions (the
        // parent may ignore SIGINT or SIGPIPE) and an empty signal mask.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cArgs, cEnv)
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1]); close(resPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0]); close(resPipe[0])
            throw SpawnError(description: "cannot start \(argv[0]): \(String(cString: strerror(rc)))")
        }
        // The nonce line is far below the pipe buffer: this write does not block.
        let bytes = Array(input.utf8)
        _ = bytes.withUnsafeBytes { write(inPipe[1], $0.baseAddress, $0.count) }
        close(inPipe[1])

        var run = SpawnedRun()
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
                   pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0),
                   pollfd(fd: resPipe[0], events: Int16(POLLIN), revents: 0)]
        var open = [true, true, true]
        let start = Date()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var killed = false
        var exited = false
        var status: Int32 = 0
        var drainUntil: Date? = nil
        while true {
            if open.contains(true) {
                for i in 0..<3 { fds[i].fd = open[i] ? [outPipe[0], errPipe[0], resPipe[0]][i] : -1; fds[i].revents = 0 }
                _ = poll(&fds, nfds_t(fds.count), 50)
                for i in 0..<3 where open[i] && fds[i].revents != 0 {
                    let n = read(fds[i].fd, &buffer, buffer.count)
                    if n <= 0 {
                        if n == 0 || (errno != EINTR && errno != EAGAIN) { open[i] = false }
                        continue
                    }
                    let limit = i == 2 ? 1 << 20 : outputLimit
                    func append(_ data: inout Data) {
                        if data.count < limit { data.append(contentsOf: buffer[0..<min(n, limit - data.count)]) }
                    }
                    switch i {
                    case 0: append(&run.stdout)
                    case 1: append(&run.stderr)
                    default: append(&run.fd3)
                    }
                }
            } else if exited {
                break
            } else {
                usleep(10_000)
            }
            if !exited {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid || (r < 0 && errno == ECHILD) {
                    exited = true
                    drainUntil = Date().addingTimeInterval(1)
                }
            }
            if exited {
                if !open.contains(true) || Date() > drainUntil! { break }
                continue
            }
            if !killed && Date().timeIntervalSince(start) > deadline {
                // The leader is not reaped yet, so its process group id cannot have been reused.
                kill(-pid, SIGKILL)
                killed = true
                run.timedOut = true
            }
        }
        close(outPipe[0]); close(errPipe[0]); close(resPipe[0])
        if (status & 0x7f) == 0 {
            run.exitDescription = "exit status \((status >> 8) & 0xff)"
        } else {
            run.exitDescription = "killed by signal \(status & 0x7f)"
        }
        return run
    }

    // MARK: probing and cleanup

    static func probe() -> Isolation {
        let env = ProcessInfo.processInfo.environment
        var python = "/usr/bin/python3"
        let candidates = [env["TTSBENCH_PYTHON"], "/usr/bin/python3", "/usr/local/bin/python3"].compactMap { $0 }
            + (env["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        for c in candidates where access(c, X_OK) == 0 {
            python = c
            break
        }
        let root = geteuid() == 0
        // As root the candidate runs under a uid of its own; that uid must be able to read the
        // interpreter's standard library (a python under /root would not be).
        var ownUID = false
        if root {
            let check = "import os; os.setgroups([]); os.setgid(2000000000); os.setuid(2000000000); import decimal, fractions, hashlib, json"
            if let run = try? spawnAndCollect(argv: [python, "-I", "-B", "-c", check], env: ["PATH=/usr/bin:/bin"], stdin: "", deadline: 10, outputLimit: 4096) {
                ownUID = run.exitDescription == "exit status 0"
            }
        }
        var iso = Isolation(unshare: nil, userNamespace: false, ownUID: ownUID, python: python)
        if env["TTSBENCH_SANDBOX_NO_NAMESPACES"] != nil { return iso }
        let unshares: [String] = ["/usr/bin/unshare", "/bin/unshare", "/usr/sbin/unshare"]
        guard let unshare = unshares.first(where: { access($0, X_OK) == 0 }) else { return iso }
        func works(_ extra: [String]) -> Bool {
            let argv = [unshare] + extra + ["--net", "--mount", "--pid", "--fork", "--kill-child", python, "-I", "-c",
                                             "import ctypes, os; l = ctypes.CDLL(None); os._exit(0 if l.mount(b'tmpfs', b'/tmp', b'tmpfs', 0, b'size=4k') == 0 else 3)"]
            guard let run = try? spawnAndCollect(argv: argv, env: ["PATH=/usr/bin:/bin"], stdin: "", deadline: 10, outputLimit: 4096) else { return false }
            return run.exitDescription == "exit status 0"
        }
        if root, works([]) {
            iso.unshare = unshare
        } else if !root, works(["--map-root-user"]) {
            iso.unshare = unshare
            iso.userNamespace = true
        }
        return iso
    }

    /// Removes the work directory, whatever the candidate did to its permissions.
    static func removeTree(_ path: String) {
        if (try? FileManager.default.removeItem(atPath: path)) != nil { return }
        if let walker = FileManager.default.enumerator(atPath: path) {
            _ = chmod(path, 0o700)
            while let sub = walker.nextObject() as? String { _ = chmod(path + "/" + sub, 0o700) }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A counting semaphore for sandboxes in flight.
public actor SandboxSlots {
    let limit: Int
    var used = 0
    var waiters: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) { self.limit = limit }

    public func acquire() async {
        if used < limit {
            used += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func release() {
        if waiters.isEmpty {
            used -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
