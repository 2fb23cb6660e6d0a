"""Runs inside the sandbox (python -I -S): the solution, then every test_* function of the tests.

Exit 0 when every test passes. Only the standard library and Hypothesis are importable.
"""

import socket
import sys
import traceback

sys.path[:0] = [".", sys.argv[1]]  # the cwd, by a relative path: its absolute one may be hidden


def _no_network(*args, **kwargs):
    raise OSError("network access is disabled in the sandbox")


for _name in ("connect", "connect_ex", "bind", "sendto"):
    setattr(socket.socket, _name, _no_network)
socket.create_connection = _no_network
socket.getaddrinfo = _no_network


def _load(name):
    with open(name, encoding="utf-8") as handle:
        return compile(handle.read(), name, "exec")


def main():
    tests_code = _load("tests.py")
    if "hypothesis" in open("tests.py", encoding="utf-8").read():
        from hypothesis import settings

        settings.register_profile("sandbox", database=None, deadline=None, max_examples=50, derandomize=True)
        settings.load_profile("sandbox")
    namespace = {"__name__": "solution"}
    try:
        exec(_load("solution.py"), namespace)
    except BaseException as exc:  # noqa: BLE001
        traceback.print_exc(limit=3)
        print(f"FAILED: the solution raised {type(exc).__name__}: {exc}")
        return 2
    namespace["__name__"] = "tests"
    exec(tests_code, namespace)
    tests = [(n, f) for n, f in list(namespace.items()) if n.startswith("test") and callable(f)]
    if not tests:
        print("FAILED: the tests define no test_* function")
        return 3
    failed = []
    for name, function in tests:
        try:
            function()
        except BaseException as exc:  # noqa: BLE001 - every failure of model code counts
            traceback.print_exc(limit=3)
            failed.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    for line in failed:
        print("FAILED:", line)
    return 1 if failed else 0


sys.exit(main())
