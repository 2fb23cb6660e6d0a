"""Exact parameter counts of common public model families, so that an import need not guess.

A name states a nominal size (`pythia-160m`) while the model has 162,322,944 parameters; on a
log axis that is a few percent, but a forecast, the order of checkpoints and a declared scale
compare the real numbers. These are the counts transformers reports (`model.num_parameters()`,
tied embeddings counted once), computed from each model's published architecture on the meta
device by `bench/known_sizes.py`, which checks this table against them.
"""

from __future__ import annotations

from .names import family_from_name, size_part

# family (lower case) -> size word of the name -> parameters
SIZES: dict[str, dict[str, int]] = {
    "pythia": {"14m": 14_067_712, "31m": 30_494_720, "70m": 70_426_624, "160m": 162_322_944,
               "410m": 405_334_016, "1b": 1_011_781_632, "1.4b": 1_414_647_808, "2.8b": 2_775_208_960,
               "6.9b": 6_857_302_016, "12b": 11_846_072_320},
    "opt": {"125m": 125_239_296, "350m": 331_196_416, "1.3b": 1_315_758_080, "2.7b": 2_651_596_800,
            "6.7b": 6_658_473_984, "13b": 12_853_473_280, "30b": 29_974_540_288, "66b": 65_719_701_504},
    "bloom": {"560m": 559_214_592, "1b1": 1_065_314_304, "1b7": 1_722_408_960, "3b": 3_002_557_440,
              "7b1": 7_069_016_064, "176b": 176_247_271_424},
    "gpt-neo": {"125m": 125_198_592, "1.3b": 1_315_575_808, "2.7b": 2_651_307_520},
    "gpt-j": {"6b": 6_050_882_784},
    "gpt-neox": {"20b": 20_554_567_680},
    "llama": {"7b": 6_738_415_616, "13b": 13_015_864_320, "30b": 32_528_943_616, "65b": 65_285_660_672},
    "llama-2": {"7b": 6_738_415_616, "13b": 13_015_864_320, "70b": 68_976_648_192},
    "llama-3": {"8b": 8_030_261_248, "70b": 70_553_706_496},
    "mistral": {"7b": 7_241_732_096},
}
# Names spelled differently for one family of sizes.
ALIASES = {"pythia-deduped": "pythia", "meta-llama-3": "llama-3", "llama-3.1": "llama-3",
           "meta-llama-3.1": "llama-3"}
# Models whose name gives no size word: name (lower case, variants dropped) -> (family, parameters).
WHOLE_NAMES: dict[str, tuple[str, int]] = {
    "gpt2": ("gpt2", 124_439_808), "gpt2-medium": ("gpt2", 354_823_168), "gpt2-large": ("gpt2", 774_030_080),
    "gpt2-xl": ("gpt2", 1_557_611_200), "bloom": ("bloom", 176_247_271_424),
}


def known_model(name: str) -> tuple[str, float] | None:
    """(family, exact parameters) of a public model by its name, or None when unknown.

    The family keeps the spelling of the name (`Llama-2`), except where the name has no size
    word to drop (`gpt2-medium` is a `gpt2`).
    """
    family = family_from_name(name)
    whole = WHOLE_NAMES.get(family.lower())
    if whole is not None and size_part(name) is None:
        return whole[0], float(whole[1])
    sizes = SIZES.get(ALIASES.get(family.lower(), family.lower()), {})
    size = size_part(name)
    return (family, float(sizes[size])) if size in sizes else None
