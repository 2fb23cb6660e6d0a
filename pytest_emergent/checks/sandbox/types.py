"""What a sandboxed run is given (limits, the isolation to use) and what it gives back."""

from __future__ import annotations

from dataclasses import dataclass

BUBBLEWRAP, NOBODY, RLIMITS = "bubblewrap", "nobody", "rlimits"
MODES = (BUBBLEWRAP, NOBODY, RLIMITS)  # strongest first: the order of fallbacks
POLICIES = ("require", "best", "off")


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 10.0
    wall_seconds: float | None = None  # default: 2 × CPU + 5 s (start-up and I/O waits)
    memory_mb: int = 1024  # address space, per process
    max_processes: int = 64
    max_file_mb: int = 16  # the largest file the code may write
    max_disk_mb: int = 64  # all it may write (bubblewrap: the size of its private /tmp)
    max_output_mb: int = 16  # stdout and stderr together; past it the run is ended

    @property
    def wall(self) -> float:
        return self.wall_seconds if self.wall_seconds is not None else 2 * self.cpu_seconds + 5

    def for_runner(self) -> dict[str, int | float]:
        return {"cpu_seconds": self.cpu_seconds, "memory_bytes": self.memory_mb << 20,
                "file_bytes": self.max_file_mb << 20, "max_processes": self.max_processes}


@dataclass(frozen=True)
class Isolation:
    """How model code is contained on this machine; `mode` is one of MODES."""

    mode: str
    bwrap: str | None = None  # the bubblewrap binary (mode bubblewrap)
    version: str = ""  # its `--version`
    note: str = ""  # why no stronger mode: what bubblewrap said

    def describe(self) -> str:
        """One line for the run header: the mode and what backs it or why nothing stronger."""
        if self.mode == BUBBLEWRAP:
            return f"{BUBBLEWRAP} ({self.bwrap}, {self.version})" if self.version else f"{BUBBLEWRAP} ({self.bwrap})"
        return f"{self.mode} ({self.note})" if self.note else self.mode


@dataclass(frozen=True)
class SandboxResult:
    passed: bool
    reason: str  # "" when passed; else one line that says why (a limit, a failed test, no verdict...)
    output: str  # the last part of stdout and stderr, control characters escaped
    isolation: str  # the mode it ran under
    output_bytes: int = 0  # how much it wrote in all, of which `output` is the tail
