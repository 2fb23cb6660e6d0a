import pytest

from pytest_emergent.backends.hf.batch import CPU_AUTO, auto_batch_size, largest_fitting


def fits_up_to(limit: int):
    tried = []

    def trial(size: int) -> None:
        tried.append(size)
        if size > limit:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    return trial, tried


def test_auto_batch_doubles_until_memory_runs_out_then_keeps_headroom():
    trial, tried = fits_up_to(40)
    assert largest_fitting(trial) == 16
    assert tried == [1, 2, 4, 8, 16, 32, 64]


def test_auto_batch_stops_at_its_limit_when_everything_fits():
    trial, _ = fits_up_to(10_000)
    assert largest_fitting(trial, limit=64) == 64


def test_errors_other_than_memory_are_not_swallowed():
    def trial(size: int) -> None:
        raise ValueError("shape mismatch")

    with pytest.raises(ValueError, match="shape mismatch"):
        largest_fitting(trial)


def test_on_the_cpu_auto_is_a_fixed_size():
    assert auto_batch_size(object(), "cpu") == CPU_AUTO
