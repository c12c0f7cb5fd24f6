import TTSSuite
// The Python program that supervises one sandboxed run (see `Sandbox` and docs/verifiers.md).
// It is passed to `python3 -I -B -c`; its single argument is the configuration (JSON, read as a
// Python literal: it comes from us, never from the candidate), and the nonce that authenticates
// its result line arrives on stdin.

enum SandboxRunnerScript {
    static let source = #"""
# ttsbench sandbox runner. Runs as the sandbox's first process (pid 1 of a new pid namespace
# when the machine allows it): sets up the file system, forks the candidate into a child with
# rlimits and its own uid, waits for it with a wall-clock limit, kills everything left, and
# reports one line "<nonce> <json>" on fd 3. Only this supervisor knows the nonce.
import sys, os, errno, select, signal, time
# Few imports: each costs startup time on every run (json alone pulls in re).
def _jstr(s):
    out = ['"']
    for ch in s:
        if ch == '"' or ch == '\\':
            out.append('\\' + ch)
        elif ord(ch) < 0x20:
            out.append('\\u%04x' % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
def _jline(status, message):
    return '{"status": %s, "message": %s}' % (_jstr(status), _jstr(message[:2000]))
def _jparse(line):
    # Parses only what _jline writes. The line comes from the candidate's process, so it is
    # parsed by hand, never evaluated.
    def string(s, i):
        if i >= len(s) or s[i] != '"':
            return None, i
        i += 1
        out = []
        while i < len(s):
            ch = s[i]
            if ch == '"':
                return "".join(out), i + 1
            if ch == '\\':
                if s[i + 1:i + 2] in ('"', '\\'):
                    out.append(s[i + 1])
                    i += 2
                    continue
                if s[i + 1:i + 2] == 'u' and len(s) >= i + 6:
                    try:
                        out.append(chr(int(s[i + 2:i + 6], 16)))
                    except ValueError:
                        return None, i
                    i += 6
                    continue
                return None, i
            out.append(ch)
            i += 1
        return None, i
    head = '{"status": '
    if not line.startswith(head):
        return None
    status, i = string(line, len(head))
    sep = ', "message": '
    if status is None or line[i:i + len(sep)] != sep:
        return None
    message, i = string(line, i + len(sep))
    if message is None or line[i:] != "}":
        return None
    return {"status": status, "message": message}
def _supervise():
    cfg = eval(sys.argv[1], {"__builtins__": {}}, {"true": True, "false": False, "null": None})
    del sys.argv[1:]
    os.chdir(cfg["workdir"])
    nonce = sys.stdin.readline().strip()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    result_fd = 3
    os.set_inheritable(result_fd, False)
    def finish(status, message, code=0):
        os.write(result_fd, (nonce + " " + _jline(status, message) + "\n").encode())
        os._exit(code)
    in_pid_ns = os.getpid() == 1
    # 1. file system: the work dir is the only writable place (needs a mount namespace and root)
    if cfg.get("private_tmp"):
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        def mount(src, dst, fstype, flags, data):
            if libc.mount(src.encode(), dst.encode(), fstype.encode(), flags, data.encode() if data is not None else None) != 0:
                finish("setup", "sandbox setup: mount %s on %s failed (errno %d)" % (src, dst, ctypes.get_errno()))
        MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
        work = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
        mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
        os.mkdir("/tmp/sandbox", 0o755)
        mount("/proc/self/fd/%d" % work, "/tmp/sandbox", "", MS_BIND, None)
        mount("tmpfs", "/tmp", "tmpfs", MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=64k,mode=755")
        for path in ("/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue"):
            if os.path.isdir(path):
                mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=755")
        os.close(work)
        os.chdir("/tmp/sandbox")
    workdir = os.getcwd()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.set_inheritable(w, False)
        try:
            _candidate(cfg, w, workdir, in_pid_ns)
        finally:
            os._exit(70)
    os.close(w)
    deadline = time.monotonic() + cfg["wall_seconds"]
    chunks, status, timed_out = [], None, False
    open_r = True
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        if open_r:
            ready, _, _ = select.select([r], [], [], min(left, 0.05))
            if ready:
                data = os.read(r, 65536)
                if data:
                    if sum(map(len, chunks)) < 65536:
                        chunks.append(data)
                else:
                    open_r = False
        else:
            time.sleep(min(left, 0.01))
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
    # Kill whatever is left: every process of the namespace, or the candidate's session.
    def kill_all():
        try:
            if in_pid_ns:
                os.kill(-1, signal.SIGKILL)
            else:
                os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    kill_all()
    if status is None:
        _, status = os.waitpid(pid, 0)
    while open_r:
        ready, _, _ = select.select([r], [], [], 0.2)
        if not ready:
            break
        data = os.read(r, 65536)
        if not data:
            break
        chunks.append(data)
    report = None
    text = b"".join(chunks).decode("utf-8", "replace")
    for line in text.splitlines():
        report = _jparse(line)
        if report is not None:
            break
    if timed_out:
        finish("timeout", "timeout: wall-clock limit of %gs exceeded" % cfg["wall_seconds"])
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            finish("timeout", "timeout: CPU time limit of %ds exceeded" % cfg["cpu_seconds"])
        if sig == signal.SIGKILL:
            finish("crashed", "killed by SIGKILL (the memory limit or the kernel's OOM killer)")
        finish("crashed", "crashed: killed by signal %d (%s)" % (sig, signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else "?"))
    code = os.WEXITSTATUS(status)
    if report is None:
        finish("crashed", "the program exited (status %d) before the tests finished" % code)
    if report.get("status") == "passed" and code != 0:
        finish("crashed", "the program exited with status %d after the tests" % code)
    finish(report.get("status", "crashed"), report.get("message", ""))

def _candidate(cfg, w, workdir, in_pid_ns):
    import resource
    if not in_pid_ns:
        os.setsid()
    def report(status, message=""):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        try:
            os.write(w, (_jline(status, message) + "\n").encode())
        except OSError:
            pass
        os._exit(0 if status == "passed" else 1)
    def setlimit(which, soft, hard=None):
        resource.setrlimit(which, (soft, soft if hard is None else hard))
    mem = cfg["memory_mb"] * 1024 * 1024
    setlimit(resource.RLIMIT_AS, mem)
    setlimit(resource.RLIMIT_CPU, cfg["cpu_seconds"], cfg["cpu_seconds"] + 1)
    fsize = cfg["fsize_mb"] * 1024 * 1024
    setlimit(resource.RLIMIT_FSIZE, fsize)
    setlimit(resource.RLIMIT_CORE, 0)
    setlimit(resource.RLIMIT_NOFILE, 256)
    nproc = cfg["max_processes"]
    uid = cfg.get("uid")
    if uid is not None:
        # A uid of its own: RLIMIT_NPROC counts the processes of the real uid, and root ignores it.
        setlimit(resource.RLIMIT_NPROC, nproc)
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    else:
        # Not root: RLIMIT_NPROC counts every process of this user, so allow for those already running.
        mine = 0
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    with open("/proc/%s/status" % p) as f:
                        for line in f:
                            if line.startswith("Uid:"):
                                mine += int(line.split()[1]) == os.getuid()
                                break
                except OSError:
                    pass
        setlimit(resource.RLIMIT_NPROC, mine + nproc)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # exceeding RLIMIT_FSIZE raises OSError(EFBIG) instead
    state = {"network": None, "filesystem": None, "forks": 0}
    blocked = {2, 10, 17}  # AF_INET, AF_INET6, AF_PACKET on Linux (importing socket costs startup time)
    allow_network = cfg.get("network", False)
    root = os.path.realpath(workdir)
    def outside(path):
        try:
            p = os.fsdecode(path) if not isinstance(path, int) else None
        except Exception:
            return False
        if p is None:
            return False
        full = os.path.realpath(os.path.join(root, p))
        return not (full == root or full.startswith(root + os.sep) or full.startswith("/dev/") or full == "/dev/null")
    WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    def forbid(kind, what):
        state[kind] = what
        raise PermissionError(errno.EACCES, "forbidden in the sandbox: " + what)
    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & WRITE)
            if writing and outside(path):
                forbid("filesystem", "write to %s" % os.fsdecode(path))
        elif event in ("os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.symlink", "os.link", "os.chmod", "os.chown", "os.truncate", "os.utime"):
            for a in args[:2]:
                if isinstance(a, (str, bytes)) and outside(a):
                    forbid("filesystem", "%s on %s" % (event, os.fsdecode(a)))
        elif allow_network:
            pass
        elif event == "socket.__new__":
            if len(args) > 1 and args[1] in blocked:
                forbid("network", "opening an internet socket")
        elif event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
            if getattr(args[0], "family", None) in blocked:
                forbid("network", event)
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.gethostbyname_ex"):
            forbid("network", event)
        if event in ("os.fork", "os.forkpty", "os.posix_spawn", "subprocess.Popen", "os.system"):
            state["forks"] += 1
    sys.addaudithook(hook)
    def read(name):
        with open(name, encoding="utf-8") as f:
            return f.read()
    solution, test = read(cfg["solution"]), read(cfg["test"])
    def where(exc):
        import traceback, linecache
        for name, src in (("<candidate>", solution), ("<tests>", test)):
            linecache.cache[name] = (len(src), None, src.splitlines(True), name)
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename in ("<candidate>", "<tests>"):
                return " (%s line %d: %s)" % (frame.filename.strip("<>"), frame.lineno, (frame.line or "").strip()[:200])
        return ""
    def violation():
        if state["network"]:
            return "network", "forbidden: network access (%s)" % state["network"]
        if state["filesystem"]:
            return "filesystem", "forbidden: %s outside the sandbox directory" % state["filesystem"]
        return None
    def classify(exc, phase):
        v = violation()
        if v:
            return v
        if isinstance(exc, MemoryError):
            return "memory", "memory limit exceeded (MemoryError)" + where(exc)
        if isinstance(exc, OSError) and exc.errno == errno.EAGAIN and state["forks"]:
            return "processes", "process limit exceeded: %s" % exc
        if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
            return "filesize", "file size limit exceeded" + where(exc)
        if isinstance(exc, AssertionError) and phase == "check":
            msg = str(exc)
            return "failed", "failed assertion" + where(exc) + ((": " + msg[:200]) if msg else "")
        if isinstance(exc, SystemExit):
            return "exit", "exited early (SystemExit %r) while running the %s" % (exc.code, phase)
        return "error", "%s while running the %s: %s%s" % (type(exc).__name__, phase, str(exc)[:300], where(exc))
    main = os.getpid()
    g = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        code = compile(solution, "<candidate>", "exec")
    except (SyntaxError, ValueError) as exc:
        report("syntax", "syntax error: %s" % (exc,))
    phase = "candidate"
    try:
        exec(code, g)
        phase = "tests"
        exec(compile(test, "<tests>", "exec"), g)
        phase = "check"
        entry = cfg.get("entry_point")
        if entry:
            if entry not in g:
                report("missing", "the candidate does not define %s()" % entry)
            if "check" not in g:
                report("error", "the tests define no check()")
            g["check"](g[entry])
    except BaseException as exc:
        if os.getpid() != main:
            os._exit(1)
        report(*classify(exc, phase))
    if os.getpid() != main:
        os._exit(0)
    v = violation()
    if v:
        report(*v)
    report("passed", "passed")
_supervise()
"""#
}
