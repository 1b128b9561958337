"""Hypothesis strategies for what our JSON writers meet: plain values and the types the event
store and the hash chain write as text, at any depth."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

# Plain values, with what a JSON writer may write another way than the standard module: floats
# of any size (NaN and infinities too), integers beyond 64 bits, text of any character.
PLAIN = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: Decimal(str(d)))
    | st.uuids()
)


def nested(leaves: st.SearchStrategy[Any], keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """Lists and dicts of `leaves`, any depth."""
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=20,
    )


def outcome(call: Callable[[Any], Any], value: Any) -> str:
    """What `call` makes of `value`, as text: its result's repr, or the name of what it raised
    (a dict shaped like a typed value of no registered type is refused), so that two writers
    or readers can be compared whether they answer or refuse."""
    try:
        return repr(call(value))
    except Exception as refused:
        return type(refused).__name__
