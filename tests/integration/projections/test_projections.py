"""The read models agree with the event log: whatever commands ran and wherever the batches
were cut, the projected rows equal what a fresh replay of the log says (the aggregates read
back from the event store), and equal a rebuild from scratch. On SQLite and PostgreSQL.

`Workload` and the helpers are in support/projection_workload.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from support.projection_workload import (
    ACTIONS,
    PLATFORMS,
    Workload,
    busy_workload,
    catch_up,
    projected,
    read_models,
    replayed,
    rows,
    snapshot,
)

from projections import case_list
from projections.rebuild import rebuild
from projections.registry import PROJECTIONS
from services.application import Redress


def test_the_read_models_hold_what_the_log_says(database_url: str) -> None:
    with read_models(database_url) as (app, engine):
        work = busy_workload(app)
        assert catch_up(app, engine, batch=17) > 0
        assert projected(engine) == replayed(app, work)
        assert catch_up(app, engine) == 0  # nothing new: nothing applied twice


def test_the_read_models_name_how_each_case_ended(database_url: str) -> None:
    with read_models(database_url) as (app, engine):
        work = Workload(app)
        work.store("globalbuy", certified=True)
        endings = {
            "agreed": ("propose_refund", "approve"),
            "ruled_for_store": ("escalate", "rule_for_store"),
            "ruled_for_consumer": ("escalate", "rule_for_consumer"),
            "withdrawn": ("withdraw",),
        }
        for steps in endings.values():
            work.submit(0, 0)
            assert all(work.act(-1, step) for step in steps), work.refused
        work.submit(0, 0)  # one that goes on
        catch_up(app, engine, batch=3)
        resolutions = [r["resolution"] for r in rows(engine, case_list.TABLES[0])]
        assert sorted(resolutions, key=str) == sorted([*endings, None], key=str)
        assert projected(engine) == replayed(app, work)


def test_a_rejection_returns_an_escalated_case_to_staff_in_the_read_models(
    database_url: str,
) -> None:
    # The rejection arrives in a later batch than the escalation: the projections must still
    # know that staff have had the case.
    with read_models(database_url) as (app, engine):
        work = Workload(app)
        work.store("globalbuy", certified=True)
        work.submit(0, 0)
        assert work.act(0, "escalate") and work.act(0, "close")
        catch_up(app, engine)
        assert work.act(0, "reject")
        catch_up(app, engine)
        assert app.get_case(work.cases[0])["status"] == "escalated"
        assert projected(engine) == replayed(app, work)


_examples = count(1)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("store"), st.sampled_from(PLATFORMS), st.booleans()),
        st.tuples(st.just("submit"), st.integers(0, 20), st.integers(0, 5)),
        st.tuples(st.just("act"), st.integers(0, 40), st.sampled_from(ACTIONS)),
        st.tuples(st.just("project"), st.integers(1, 40), st.none()),
    ),
    max_size=40,
)


@pytest.fixture
def property_database(database_url: str) -> Iterator[tuple[Redress, Engine]]:
    with read_models(database_url) as opened:
        yield opened


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations, final_batch=st.integers(1, 60))
def test_projected_rows_equal_a_fresh_replay_of_the_log(
    property_database: tuple[Redress, Engine], steps: list[tuple[str, Any, Any]], final_batch: int
) -> None:
    # Examples share the database: each adds to the log, and the read models must keep up
    # with everything in it, wherever the batches were cut.
    app, engine = property_database
    work = Workload(app, prefix=f"p{next(_examples)}")
    work.store("biggrey", certified=True)
    for kind, a, b in steps:
        if kind == "store":
            work.store(a, b)
        elif kind == "submit":
            work.submit(a, b)
        elif kind == "act" and work.cases:
            work.act(a, b)
        elif kind == "project":
            catch_up(app, engine, batch=a)
    catch_up(app, engine, batch=final_batch)
    expected, actual = replayed(app, work), projected(engine)
    for model, facts in expected.items():
        assert _ours(actual[model], work) == facts, model
    before = snapshot(engine)
    rebuild(engine, app, PROJECTIONS, batch=final_batch)
    assert snapshot(engine) == before


def _ours(facts: Any, work: Workload) -> Any:
    """The facts about this example's cases and stores (the database holds earlier examples'
    too); keys are case or store ids, or tuples that start with one."""
    ids = {str(c) for c in work.cases} | {s for s, _ in work.stores}

    def mine(key: Any) -> bool:
        return (key[0] if isinstance(key, tuple) else key) in ids

    if isinstance(facts, set):
        return {key for key in facts if mine(key)}
    return {key: value for key, value in facts.items() if mine(key)}
