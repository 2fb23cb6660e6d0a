"""Runs as root inside the sandbox's new PID, mount and network namespaces, before the code.

argv: JSON settings, then the command to exec. Mounts a private tmpfs over the shared temporary
folders, hides folders `nobody` cannot enter (a home such as /root) behind a tmpfs while
re-exposing the Python installation inside them at the same path, then drops to `nobody`.
Every mount is private to the namespace: the host's file system does not change.
"""

import ctypes
import json
import os
import sys

MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
libc = ctypes.CDLL(None, use_errno=True)


def mount(source, target, kind, flags, data=None):
    args = [x.encode() if isinstance(x, str) else x for x in (source, target, kind, data)]
    if libc.mount(args[0], args[1], args[2], flags, args[3]) != 0:
        raise OSError(ctypes.get_errno(), f"sandbox: cannot mount {target}")


def main():
    settings = json.loads(sys.argv[1])
    # Hold the folders to put back before anything covers them; bind them back through /proc.
    held = [(os.open(path, os.O_PATH | os.O_DIRECTORY), path) for path in settings["expose"]]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    for folder in settings["tmpfs"]:
        mount("tmpfs", folder, "tmpfs", 0, "size=64m,mode=1777")
    # The working folder may lie under a folder just covered: put it back at its own path.
    os.makedirs(settings["workdir"], exist_ok=True)
    mount("/proc/self/cwd", settings["workdir"], None, MS_BIND)
    os.chdir(settings["workdir"])
    for folder in settings["hide"]:
        mount("tmpfs", folder, "tmpfs", 0, "size=1m,mode=0755")
    for fd, path in held:
        os.makedirs(path, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    os.setgroups([])
    os.setgid(settings["uid"])
    os.setuid(settings["uid"])
    os.execv(sys.argv[2], sys.argv[2:])


main()
