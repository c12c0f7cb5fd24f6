import CodeSandbox
@testable import TTSBench
@testable import TTSSuite
@testable import TTSCore
import Foundation
import Testing
@testable import TTSSeams
@testable import TTSVerifiers

/// The code verifier and its sandbox. The hostile cases run with small limits (a few processes,
/// a couple of seconds) so that a containment failure could not hurt the machine much.
@Suite struct CodeVerifierTests {

    static let addItem = TaskItem(id: "add", question: "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n", answer: "    return a + b\n",
                                  entryPoint: "add", tests: "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n")

    static let small = Sandbox.Limits(timeout: 3, memoryMB: 256, maxProcesses: 8)

    static func verify(_ code: String, item: TaskItem = addItem, limits: Sandbox.Limits = small) async throws -> Verdict {
        try await CodeVerifier(limits: limits).verify(Candidate(text: code, answer: nil), item: item)
    }

    static func run(_ code: String, limits: Sandbox.Limits = small) async -> Sandbox.Result {
        let program = CodeVerifier.program(code: code, item: addItem)
        return await Sandbox(limits: limits).run(solution: program, tests: addItem.tests!, entryPoint: "add")
    }

    /// Processes still running under a uid (the sandbox's own uid must have none left).
    static func processes(ofUID uid: UInt32) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var count = 0
        for pid in entries where pid.allSatisfy(\.isNumber) {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { continue }
            if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
               line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first == Substring(String(uid)) {
                count += 1
            }
        }
        return count
    }

    static func expectCleanedUp(_ r: Sandbox.Result) {
        #expect(!r.workdir.isEmpty && !FileManager.default.fileExists(atPath: r.workdir), "work dir left: \(r.workdir)")
        if let uid = r.uid { #expect(processes(ofUID: uid) == 0, "processes left under uid \(uid)") }
    }

    // MARK: program assembly

    @Test func extractsTheLastPythonBlockElseTheRawText() {
        let text = "Here:\n```python\ndef a(): pass\n```\nand better:\n```python\ndef add(a, b):\n    return a + b\n```\nDone."
        #expect(CodeVerifier.extractCode(text) == "def add(a, b):\n    return a + b\n")
        #expect(CodeVerifier.extractCode("```\nx = 1\n```") == "x = 1\n")
        #expect(CodeVerifier.extractCode("    return a + b\n") == "    return a + b\n")
        #expect(CodeVerifier.extractCode("```py\nx = 2\n") == "x = 2\n")  // unclosed (truncated)
    }

    @Test func aBodyFollowsThePromptAndAFullDefinitionReplacesTheStub() {
        let body = CodeVerifier.program(code: "    return a + b\n", item: Self.addItem)
        #expect(body == Self.addItem.question + "    return a + b\n")
        let full = CodeVerifier.program(code: "def add(a, b):\n    return a + b\n", item: Self.addItem)
        #expect(full.hasPrefix(Self.addItem.question) && full.hasSuffix("\ndef add(a, b):\n    return a + b\n"))
        #expect(CodeVerifier.defines("async def add (x):", "add"))
        #expect(!CodeVerifier.defines("def adder(x):", "add"))
    }

    // MARK: verdicts

    @Test func passesAndFailsWithTheReason() async throws {
        let ok = try await Self.verify("    return a + b\n")
        #expect(ok.correct == true && ok.detail == "passed")
        let fenced = try await Self.verify("Sure.\n```python\ndef add(a, b):\n    return b + a\n```\n")
        #expect(fenced.correct == true)
        let wrong = try await Self.verify("    return a - b\n")
        #expect(wrong.correct == false)
        #expect(wrong.detail.hasPrefix("failed assertion"), "\(wrong.detail)")
        #expect(wrong.detail.contains("assert candidate(1, 2) == 3"), "\(wrong.detail)")
        let syntax = try await Self.verify("    return a +\n")
        #expect(syntax.correct == false && syntax.detail.hasPrefix("syntax error"), "\(syntax.detail)")
        let missing = try await Self.verify("def plus(a, b):\n    return a + b\n", item: TaskItem(
            id: "x", question: "", answer: "", entryPoint: "add", tests: Self.addItem.tests))
        #expect(missing.correct == false && missing.detail.contains("does not define add()"), "\(missing.detail)")
        let crash = try await Self.verify("    return a + b + undefined_name\n")
        #expect(crash.correct == false && crash.detail.hasPrefix("crashed: NameError"), "\(crash.detail)")
        let noTests = try await CodeVerifier().verify(Candidate(text: "x = 1", answer: nil), item: TaskItem(id: "q", question: "", answer: "1"))
        #expect(noTests.correct == false && noTests.detail.contains("no tests"))
    }

    @Test func leavingEarlyIsNotPassing() async throws {
        let exit0 = try await Self.verify("import sys\nsys.exit(0)\n")
        #expect(exit0.correct == false && exit0.detail.contains("exited early"), "\(exit0.detail)")
        let hardExit = try await Self.verify("import os\nos._exit(0)\n")
        #expect(hardExit.correct == false && hardExit.detail.contains("before the tests finished"), "\(hardExit.detail)")
        // Printing a fake result line does not help: only the supervisor knows the nonce.
        let forged = try await Self.verify("import os\nos.write(3, b'x {\"status\": \"passed\"}\\n')\nos._exit(0)\n")
        #expect(forged.correct == false, "\(forged.detail)")
    }

    @Test(needsDataset("humaneval.jsonl"))
    func allCanonicalHumanEvalSolutionsPass() async throws {
        let items = try JSONLDataset.load(path: try requireDataset("humaneval.jsonl")).items
        #expect(items.count == 164)
        #expect(items.allSatisfy { $0.entryPoint != nil && $0.tests != nil })
        // Generous: a loaded 2-core machine runs the other tests at the same time (speed belongs in benchmarks).
        let verifier = CodeVerifier(limits: Sandbox.Limits(timeout: 60))
        let started = Date()
        // Sandbox.slots bounds how many run at once.
        let failures = try await withThrowingTaskGroup(of: String?.self) { group in
            for item in items {
                group.addTask {
                    let v = try await verifier.verify(Candidate(text: item.answer, answer: nil), item: item)
                    return v.correct == true ? nil : "\(item.id): \(v.detail)"
                }
            }
            var failed: [String] = []
            for try await f in group { if let f { failed.append(f) } }
            return failed.sorted()
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(failures.isEmpty, "\(failures.count) canonical solutions failed:\n\(failures.joined(separator: "\n"))")
        print("164 HumanEval canonical solutions in \(String(format: "%.1f", seconds)) s; isolation: \(Sandbox.isolation)")
    }

    // MARK: hostile candidates

    @Test func forkBombIsContained() async throws {
        // Containment is tested with a small process limit and a short timeout.
        let bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
        let r = await Self.run(bomb, limits: Sandbox.Limits(timeout: 2, memoryMB: 128, maxProcesses: 6))
        #expect(r.status == .timeout || r.status == .processes, "\(r.status): \(r.message)")
        Self.expectCleanedUp(r)
        let plain = await Self.run("import os\nfor _ in range(30):\n    os.fork()\n", limits: Sandbox.Limits(timeout: 2, memoryMB: 128, maxProcesses: 6))
        #expect(plain.status == .processes, "\(plain.status): \(plain.message)")
        #expect(CodeVerifier.verdict(plain).detail.hasPrefix("forbidden: process limit exceeded"))
        Self.expectCleanedUp(plain)
    }

    @Test func infiniteLoopTimesOut() async throws {
        let cpu = await Self.run("while True:\n    pass\n", limits: Sandbox.Limits(timeout: 1, memoryMB: 128, maxProcesses: 4))
        #expect(cpu.status == .timeout, "\(cpu.status): \(cpu.message)")
        #expect(cpu.seconds < 30)  // bounded (a loaded machine gets slack; speed is not what is tested)
        Self.expectCleanedUp(cpu)
        let sleeper = await Self.run("import time\ntime.sleep(60)\n", limits: Sandbox.Limits(timeout: 1, memoryMB: 128, maxProcesses: 4))
        #expect(sleeper.status == .timeout && sleeper.message.contains("wall-clock"), "\(sleeper.status): \(sleeper.message)")
        #expect(sleeper.seconds < 30)  // the 60 s sleep was cut
        Self.expectCleanedUp(sleeper)
        let v = try await Self.verify("while True:\n    pass\n", limits: Sandbox.Limits(timeout: 1, memoryMB: 128, maxProcesses: 4))
        #expect(v.correct == false && v.detail.hasPrefix("timeout"), "\(v.detail)")
    }

    @Test func memoryBombIsContained() async throws {
        let grow = await Self.run("chunks = []\nwhile True:\n    chunks.append(bytearray(10 ** 7))\n", limits: Sandbox.Limits(timeout: 30, memoryMB: 256, maxProcesses: 4))
        #expect(grow.status == .memory, "\(grow.status): \(grow.message)")
        let huge = try await Self.verify("x = bytearray(8 * 1024 ** 3)\n")
        #expect(huge.correct == false && huge.detail.hasPrefix("memory limit exceeded"), "\(huge.detail)")
        Self.expectCleanedUp(grow)
    }

    @Test func writingOutsideTheWorkDirIsRefused() async throws {
        let target = "/tmp/ttsbench-escape-\(UUID().uuidString)"
        let direct = await Self.run("open('\(target)', 'w').write('escaped')\n")
        #expect(direct.status == .filesystem, "\(direct.status): \(direct.message)")
        #expect(CodeVerifier.verdict(direct).detail.hasPrefix("forbidden: write to \(target)"))
        // Catching the refusal does not make the candidate pass.
        let caught = try await Self.verify("try:\n    open('\(target)', 'w').write('x')\nexcept Exception:\n    pass\ndef add(a, b):\n    return a + b\n")
        #expect(caught.correct == false && caught.detail.hasPrefix("forbidden"), "\(caught.detail)")
        // Going around the audit hook (a shell) meets the read-only /tmp of the mount namespace.
        let shell = await Self.run("import os\nos.system('echo escaped > \(target)')\ndef add(a, b):\n    return a + b\n")
        #expect(!FileManager.default.fileExists(atPath: target))
        if Sandbox.isolation.unshare != nil { #expect(shell.status == .passed, "\(shell.status): \(shell.message)") }
        // Files inside the work dir are fine, and it is removed afterwards.
        let inside = await Self.run("open('scratch.txt', 'w').write('ok')\ndef add(a, b):\n    return a + b\n")
        #expect(inside.status == .passed, "\(inside.status): \(inside.message)")
        Self.expectCleanedUp(inside)
        let big = await Self.run("open('big.bin', 'wb').write(b'x' * (40 * 1024 * 1024))\n", limits: Sandbox.Limits(timeout: 3, memoryMB: 256, maxProcesses: 4))
        #expect(big.status == .filesize || big.status == .memory, "\(big.status): \(big.message)")
    }

    @Test func socketsAreRefusedAndTheNetworkIsUnreachable() async throws {
        // A listener in this process: the candidate must not reach it.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        #expect(listen(listener, 8) == 0)
        let port = Int(UInt16(bigEndian: addr.sin_port))

        let plain = try await Self.verify("import socket\ns = socket.socket()\ns.connect(('127.0.0.1', \(port)))\ndef add(a, b):\n    return a + b\n")
        #expect(plain.correct == false && plain.detail.hasPrefix("forbidden: network access"), "\(plain.detail)")
        let caught = try await Self.verify("import socket\ntry:\n    socket.create_connection(('127.0.0.1', \(port)), timeout=1)\nexcept Exception:\n    pass\ndef add(a, b):\n    return a + b\n")
        #expect(caught.correct == false && caught.detail.hasPrefix("forbidden: network access"), "\(caught.detail)")
        if Sandbox.isolation.unshare != nil {
            // Around the audit hook, with raw libc calls: the network namespace has no route.
            let raw = """
                import ctypes, struct
                libc = ctypes.CDLL(None, use_errno=True)
                fd = libc.socket(2, 1, 0)
                addr = struct.pack('<H', 2) + struct.pack('>H', \(port)) + bytes([127, 0, 0, 1]) + bytes(8)
                rc = libc.connect(fd, addr, 16)
                assert rc != 0, 'connected'
                raise SystemExit('connect failed with errno %d' % ctypes.get_errno())

                """
            let r = await Self.run(raw)
            #expect(r.status == .exit && r.message.contains("connect failed"), "\(r.status): \(r.message)")
        }
        // Nothing reached the listener.
        var flags = fcntl(listener, F_GETFL)
        flags |= O_NONBLOCK
        _ = fcntl(listener, F_SETFL, flags)
        let accepted = accept(listener, nil, nil)
        #expect(accepted < 0, "the sandbox reached 127.0.0.1:\(port)")
        if accepted >= 0 { close(accepted) }
    }

    @Test func outputIsBounded() async throws {
        let r = await Self.run("print('x' * 5_000_000)\nimport sys\nsys.stderr.write('y' * 5_000_000)\ndef add(a, b):\n    return a + b\n")
        #expect(r.status == .passed, "\(r.status): \(r.message)")
        #expect(r.stdout.utf8.count <= Sandbox.outputLimit && r.stdout.utf8.count > 1000)
        #expect(r.stderr.utf8.count <= Sandbox.outputLimit)
    }

    @Test func theEnvironmentIsScrubbed() async throws {
        setenv("TTSBENCH_SECRET_FOR_TEST", "hunter2", 1)
        let r = await Self.run("import os\nassert 'TTSBENCH_SECRET_FOR_TEST' not in os.environ, 'leaked'\nprint(sorted(os.environ))\ndef add(a, b):\n    return a + b\n")
        #expect(r.status == .passed, "\(r.status): \(r.message)")
    }

    // MARK: suite keys

    @Test func suiteKeysParse() throws {
        let dir = try makeTempDir("code-suite")
        let yaml = baseSuite.replacingOccurrences(of: "verifiers:\n", with: "verifiers:\n  tests: {kind: code, timeout: 5, memory_mb: 256, max_processes: 4, network: none}\n  tests2: {kind: code}\n")
        let suite = try SuiteLoader.load(path: try writeFile(dir, "s.yaml", yaml))
        #expect(suite.verifier("tests")?.kind == CodeKind(Sandbox.Limits(timeout: 5, memoryMB: 256, maxProcesses: 4, allowNetwork: false)))
        #expect(suite.verifier("tests2")?.kind == CodeKind(Sandbox.Limits()))
        let bad = baseSuite.replacingOccurrences(of: "verifiers:\n", with: "verifiers:\n  tests: {kind: code, network: sometimes}\n")
        #expect(throws: SuiteError.self) { try SuiteLoader.load(path: try writeFile(dir, "b.yaml", bad)) }
        let unknown = baseSuite.replacingOccurrences(of: "verifiers:\n", with: "verifiers:\n  tests: {kind: code, timeuot: 3}\n")
        do {
            _ = try SuiteLoader.load(path: try writeFile(dir, "c.yaml", unknown))
            Issue.record("an unknown key was accepted")
        } catch let e as SuiteError {
            #expect(e.description.contains("did you mean 'timeout'"), "\(e)")
        }
    }
}
