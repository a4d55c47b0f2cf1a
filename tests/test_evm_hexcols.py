"""The column-wise hex helpers agree with a plain per-value regex on any input, separators included.

`hex_rows` and `hex_quantities` prove value lengths from where the separators fall in one joined
buffer; these properties throw commas, wrong lengths, uppercase, non-ASCII and empty strings at
them and compare with the obvious per-value answer.
"""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings as hypothesis_settings, strategies as st

from pipelines.chains.evm._hexcols import hex_quantities, hex_rows, lowercase_strings

HEX = "0123456789abcdefABCDEF"
near_hex = st.text(alphabet=HEX + "x,X \n\u00e9", max_size=12)


def hex_value(width: int) -> st.SearchStrategy[str]:
    """Mostly well-formed '0x' values of `width` characters, sometimes bent out of shape."""
    good = st.text(alphabet=HEX, min_size=width - 2, max_size=width - 2).map(lambda digits: "0x" + digits)
    bent = st.tuples(good, near_hex, st.integers(0, width)).map(lambda t: t[0][: t[2]] + t[1] + t[0][t[2]:])
    return st.one_of(good, good, bent, st.just(""), st.just(","))


@hypothesis_settings(max_examples=400, deadline=None)
@given(values=st.lists(hex_value(6), min_size=1, max_size=8))
def test_hex_rows_accepts_exactly_the_well_formed_columns_and_keeps_every_character(values: list[str]) -> None:
    rows = hex_rows(iter(values), len(values), 6)
    well_formed = all(re.fullmatch(r"0x[0-9a-fA-F]{4}", v) for v in values)
    assert (rows is not None) == well_formed
    if rows is not None:
        assert [bytes(row).decode() for row in rows] == values
        assert lowercase_strings(rows).to_pylist() == [v.lower() for v in values]


quantity = st.one_of(
    st.integers(0, 2**60 - 1).map(hex),
    st.integers(0, 2**60 - 1).map(lambda i: "0x" + format(i, "X")),
    st.integers(0, 2**64).map(lambda i: "0x" + format(i, "x").zfill(16)),  # 16 digits: one too many
    near_hex.map(lambda s: "0x" + s),
    near_hex,
)


@hypothesis_settings(max_examples=400, deadline=None)
@given(values=st.lists(quantity, min_size=1, max_size=8))
def test_hex_quantities_match_int_parsing_of_each_value(values: list[str]) -> None:
    parsed = hex_quantities(iter(values), len(values))
    well_formed = all(re.fullmatch(r"0x[0-9a-fA-F]{1,15}", v) for v in values)
    assert (parsed is not None) == well_formed
    if parsed is not None:
        assert parsed.dtype == np.uint64
        assert parsed.tolist() == [int(v, 16) for v in values]


def test_empty_columns_give_empty_arrays() -> None:
    assert hex_rows(iter([]), 0, 66).shape == (0, 66)
    assert hex_quantities(iter([]), 0).tolist() == []


def test_a_value_that_is_not_a_string_raises_type_error() -> None:
    for convert in (lambda v: hex_rows(v, 2, 4), lambda v: hex_quantities(v, 2)):
        try:
            convert(iter(["0x12", 18]))
        except TypeError:
            continue
        raise AssertionError("a non-string value was accepted")
