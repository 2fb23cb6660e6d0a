import pytest

from pytest_emergent.backends.hf.batch import (
    CPU_AUTO,
    GROWTH,
    PROBE_LENGTH,
    auto_batch_size,
    largest_fitting,
    token_batches,
)


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


def test_generation_batches_hold_their_tokens_to_what_batch_size_rows_of_the_probe_length_would_be():
    lengths = [PROBE_LENGTH * 2] * 3 + [PROBE_LENGTH] * 5 + [PROBE_LENGTH // 2] * 9 + [10] * 40
    batches = token_batches(list(range(len(lengths))), lengths, 2)
    # a batch's rows follow its first (longest) row: 1024 tokens 2 rows, 512 still 2, 256 four, 10 tokens GROWTH × 2
    assert [len(b) for b in batches] == [2, 2, 2, 2, 4, 4, 4, 8, 8, 8, 8, 5]
    assert sum(batches, []) == list(range(len(lengths)))  # every row once, in order
    for batch in batches:
        assert len(batch) <= GROWTH * 2 and (len(batch) == 2 or lengths[batch[0]] * len(batch) <= 2 * PROBE_LENGTH)
