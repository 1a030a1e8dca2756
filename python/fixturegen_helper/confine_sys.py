"""The Linux system calls a verification child confines itself with, through ctypes: Landlock
(writes and TCP connections), a seccomp filter (socket families and types, and process creation
where no pids cgroup limits it), capabilities and no_new_privs. Each function raises OSError
with the errno when the kernel refuses; `confine` decides what is available and what to say.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
from typing import Any

_LIBC: Any = None


def libc() -> Any:
    """libc, loaded and its functions looked up once (in the helper: children inherit them)."""
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
        _LIBC.syscall.restype = ctypes.c_long
        for name in ("prctl", "capset", "memset"):
            getattr(_LIBC, name, None)
    return _LIBC


def _check(result: int) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result


def prctl(option: int, arg2: int = 0, arg3: int = 0) -> int:
    lib = libc()
    return _check(
        lib.prctl(
            ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(0), ctypes.c_ulong(0)
        )
    )


PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_CAPBSET_DROP = 24
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

# Landlock: the same syscall numbers on every architecture (added after the tables were unified).
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
LANDLOCK_RULE_NET_PORT = 2
#: Every right that changes the file system (ABI 1), then REFER (ABI 2) and TRUNCATE (ABI 3).
#: Reading and executing stay unrestricted: the child reads the project, site-packages and /proc.
FS_WRITE_ABI1 = sum(1 << bit for bit in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12))
FS_REFER = 1 << 13
FS_TRUNCATE = 1 << 14
FS_WRITE_FILE = 1 << 1
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when it has none (not built in, or not enabled)."""
    try:
        return max(
            0,
            int(libc().syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), LANDLOCK_CREATE_RULESET_VERSION)),
        )
    except Exception:  # noqa: BLE001 - not Linux
        return 0


def fs_write_rights(abi: int) -> int:
    return FS_WRITE_ABI1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0)


def landlock_restrict(abi: int, writable: list[str], writable_files: list[str], tcp_ports: list[int] | None) -> None:
    """One Landlock layer: writes only beneath `writable` (and to `writable_files`); with
    `tcp_ports` not None (ABI 4), TCP connect only to those ports and no TCP bind; with ABI 6,
    no abstract unix socket or signal outside the domain. Needs no_new_privs."""
    fs = fs_write_rights(abi)
    net = (NET_BIND_TCP | NET_CONNECT_TCP) if tcp_ports is not None and abi >= 4 else 0
    scoped = (SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0
    attr = (
        struct.pack("QQQ", fs, net, scoped)
        if abi >= 6
        else struct.pack("QQ", fs, net)
        if abi >= 4
        else struct.pack("Q", fs)
    )
    lib = libc()
    ruleset = _check(lib.syscall(SYS_LANDLOCK_CREATE_RULESET, attr, ctypes.c_size_t(len(attr)), 0))
    try:
        for path, rights in [(p, fs) for p in writable] + [
            (p, FS_WRITE_FILE | (FS_TRUNCATE if abi >= 3 else 0)) for p in writable_files
        ]:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = struct.pack("=Qi", rights, fd)
                _check(lib.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH, rule, 0))
            finally:
                os.close(fd)
        for port in (tcp_ports or []) if net else []:
            rule = struct.pack("QQ", NET_CONNECT_TCP, port)
            _check(lib.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_NET_PORT, rule, 0))
        _check(lib.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0))
    finally:
        os.close(ruleset)


# seccomp: (audit arch, socket, clone, clone3, fork, vfork) per machine.
_ARCH = {
    "x86_64": (0xC000003E, 41, 56, 435, 57, 58),
    "aarch64": (0xC00000B7, 198, 220, 435, None, None),
}
#: io_uring_setup (the same number everywhere): io_uring creates sockets without socket(2).
NR_IO_URING_SETUP = 425
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
EACCES, EPERM, ENOSYS = 13, 1, 38
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
SOCK_STREAM = 1
CLONE_THREAD = 0x00010000


_MACHINE = platform.machine()


def seccomp_supported() -> bool:
    return _MACHINE in _ARCH


#: Assembled programs by (unix, inet_stream, deny_processes): built in the helper (`confine.database`),
#: so that a child only installs one.
_PROGRAMS: dict[tuple[bool, bool, bool], bytes] = {}


def seccomp_filter(unix: bool, inet_stream: bool, deny_processes: bool) -> None:
    _install(seccomp_program(unix, inet_stream, deny_processes))


def seccomp_program(unix: bool, inet_stream: bool, deny_processes: bool) -> bytes:
    """The seccomp filter: socket(2) only for AF_UNIX when `unix`, and AF_INET/AF_INET6 stream
    sockets when `inet_stream` (Landlock then decides which ports), else EACCES; with
    `deny_processes`, no new process (threads only: clone with CLONE_THREAD; clone3 answers
    ENOSYS so that libc falls back to clone). No io_uring (it opens sockets without socket(2)).
    A system call of another ABI (i386, x32) kills."""
    key = (unix, inet_stream, deny_processes)
    if key in _PROGRAMS:
        return _PROGRAMS[key]
    arch, nr_socket, nr_clone, nr_clone3, nr_fork, nr_vfork = _ARCH[_MACHINE]
    deny = SECCOMP_RET_ERRNO | EACCES
    # (code, k, label if true, label if false) for jumps, (code, k) otherwise; labels resolve below.
    LD, JEQ, JGE, JSET, RET, AND = 0x20, 0x15, 0x35, 0x45, 0x06, 0x54
    # One line per BPF basic block, as the filter reads.
    # fmt: off
    prog: list[tuple[Any, ...] | str] = [
        (LD, 4), (JEQ, arch, None, "kill"),
        (LD, 0), (JGE, 0x40000000, "kill", None),
        (JEQ, NR_IO_URING_SETUP, "eperm", None),
        (JEQ, nr_socket, None, "processes"),
        (LD, 16), (JEQ, AF_UNIX, None, "inet"), (RET, SECCOMP_RET_ALLOW if unix else deny),
        "inet", (JEQ, AF_INET, "stream", None), (JEQ, AF_INET6, None, "deny"),
        "stream", (LD, 24), (AND, 0xF), (JEQ, SOCK_STREAM, None, "deny"),
        (RET, SECCOMP_RET_ALLOW if inet_stream else deny),
        "deny", (RET, deny),
        "kill", (RET, SECCOMP_RET_KILL_PROCESS),
        "processes",
    ]
    if deny_processes:
        prog += [
            (JEQ, nr_clone, None, "clone3"), (LD, 16), (JSET, CLONE_THREAD, "allow", None),
            (RET, SECCOMP_RET_ERRNO | EPERM),
            "clone3", (JEQ, nr_clone3, None, "fork"), (RET, SECCOMP_RET_ERRNO | ENOSYS),
            "fork",
        ]
        for nr in (nr_fork, nr_vfork):
            if nr is not None:
                prog += [(JEQ, nr, "eperm", None)]
    prog += ["allow", (RET, SECCOMP_RET_ALLOW), "eperm", (RET, SECCOMP_RET_ERRNO | EPERM)]
    # fmt: on
    _PROGRAMS[key] = b"".join(struct.pack("=HBBI", *ins) for ins in _assemble(prog))
    return _PROGRAMS[key]


def _assemble(prog: list[Any]) -> list[tuple[int, int, int, int]]:
    """Resolves the labels of `seccomp_filter`'s program into relative jump offsets."""
    labels: dict[str, int] = {}
    out: list[tuple[Any, ...]] = []
    for item in prog:
        if isinstance(item, str):
            labels[item] = len(out)
        else:
            out.append(item)
    code: list[tuple[int, int, int, int]] = []
    for i, ins in enumerate(out):
        if len(ins) == 4:
            op, k, true, false = ins
            jt = labels[true] - i - 1 if true else 0
            jf = labels[false] - i - 1 if false else 0
            code.append((op, jt, jf, k & 0xFFFFFFFF))
        else:
            code.append((ins[0], 0, 0, ins[1] & 0xFFFFFFFF))
    return code


def _install(raw: bytes) -> None:
    buf = ctypes.create_string_buffer(raw, len(raw))
    fprog = struct.pack("@HP", len(raw) // 8, ctypes.addressof(buf))
    prctl_buf = ctypes.create_string_buffer(fprog, len(fprog))
    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prctl_buf))


def drop_capabilities() -> None:
    """Empties the bounding set (where allowed) and every capability set: a verification child
    run as root cannot raise its limits, leave its cgroup, mount, trace or signal others."""
    try:
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as f:
            last = int(f.read())
    except (OSError, ValueError):
        last = 40
    for cap in range(last + 1):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError:
            break  # no CAP_SETPCAP: nothing to drop from, an unprivileged user's bounding set is inert
    header = struct.pack("=Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = bytes(24)  # two {effective, permitted, inheritable} triples, all empty
    _check(libc().capset(header, data))
