"""The libraries' tqdm bars are off while a model loads, then as they were."""

from __future__ import annotations

import io

from tqdm import tqdm as std_tqdm
from tqdm.auto import tqdm

from pytest_emergent.progress import quiet_library_bars


def test_a_tqdm_bar_writes_nothing_inside_the_block_and_again_after_it():
    inside, after = io.StringIO(), io.StringIO()
    with quiet_library_bars():
        assert list(tqdm(range(50), desc="Loading weights", file=inside)) == list(range(50))
    list(tqdm(range(50), desc="Loading weights", file=after))
    assert inside.getvalue() == "" and "Loading weights" in after.getvalue()


def test_transformers_gguf_dequantisation_bar_stays_out_of_the_captured_output(capsys):
    from transformers.modeling_gguf_pytorch_utils import tqdm as gguf_tqdm  # the bar that leaked: 2,643 characters

    with quiet_library_bars():
        for _ in gguf_tqdm(range(300), desc="Converting and de-quantizing GGUF tensors..."):
            pass
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_transformers_and_hub_bars_are_quiet_whether_or_not_their_own_switches_are_on(capsys):
    from huggingface_hub.utils import tqdm as hub_tqdm
    from transformers.utils import logging as hf_logging

    hf_logging.enable_progress_bar()
    with quiet_library_bars():
        list(hf_logging.tqdm(range(20), desc="Loading checkpoint shards"))
        list(hub_tqdm(range(20), desc="Fetching 3 files"))
    assert capsys.readouterr().err == ""


def test_a_bar_given_disable_by_position_and_nested_blocks_leave_tqdm_as_it_was():
    original = std_tqdm.__dict__["__init__"]
    out = io.StringIO()
    with quiet_library_bars():
        with quiet_library_bars():
            list(std_tqdm(range(5), "desc", 5, True, out, None, 0.1, 10.0, None, None, False))
        list(tqdm(range(5), file=out))
    assert out.getvalue() == "" and std_tqdm.__dict__["__init__"] is original
