"""Properties of rotations, layers, overrides and on-call lookups across zones, starts and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klaxon.domain.schedule.models import Rotation, RotationType, Schedule
from klaxon.domain.schedule.oncall import layer_shifts, on_call, shifts
from klaxon.domain.schedule.rotation import handoff, rotation_shifts, shift_index
from tests.unit.schedule.schedule_strategies import (
    PEOPLE,
    ZONES,
    covering,
    instants,
    layers,
    naively_inside,
    near_transition,
    overrides_within,
    ranges,
    rotations,
    schedules,
    user_runs,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CALENDAR = [RotationType.DAILY, RotationType.WEEKLY]
ELAPSED = [RotationType.HOURLY, RotationType.CUSTOM]


@SETTINGS
@given(rotation=rotations(), span=ranges())
def test_a_rotations_shifts_tile_the_range_with_no_gap_and_no_overlap(rotation, span):
    start, end = span
    tiles = rotation_shifts(rotation, start, end)
    assert tiles[0].start == start
    assert tiles[-1].end == end
    assert all(a.end == b.start for a, b in pairwise(tiles))
    assert all(t.start < t.end and t.start.tzinfo is UTC for t in tiles)


@SETTINGS
@given(rotation=rotations(kinds=CALENDAR), span=ranges(longest=timedelta(days=60)))
def test_calendar_hand_offs_keep_the_wall_clock_time_or_move_forward_by_a_gap(rotation, span):
    # The wall time without the start's fold: a fold=1 start (the second 01:30 of a fall-back night)
    # names the same wall time, and a fold carried into a spring gap would pick the offset after it.
    tz, wall = ZoneInfo(rotation.time_zone), rotation.start.time().replace(fold=0)
    for tile in rotation_shifts(rotation, *span)[1:]:
        local = tile.start.astimezone(tz)
        naive = datetime.combine(local.date(), wall)
        before = naive.replace(tzinfo=tz).utcoffset()
        after = naive.replace(tzinfo=tz, fold=1).utcoffset()
        assert before is not None and after is not None
        # Where the wall time is missing (a gap), the offsets either side of it differ by the gap.
        gap = max(after - before, timedelta(0))
        exists = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive
        assert local.replace(tzinfo=None) == (naive if exists else naive + gap)
        assert local.utcoffset() == (before if exists else after)


@SETTINGS
@given(rotation=rotations(kinds=ELAPSED), span=ranges())
def test_hourly_and_custom_rotations_hand_off_every_step_of_elapsed_time(rotation, span):
    step = timedelta(hours=rotation.shift_hours or rotation.shift_length)
    tiles = rotation_shifts(rotation, *span)
    assert all(t.end - t.start == step for t in tiles[1:-1])


ANY_INSTANT = st.datetimes(
    datetime(1971, 1, 1), datetime(2199, 1, 1), timezones=st.sampled_from([UTC, ZoneInfo("Asia/Kolkata")])
)


def near_a_hand_off(data: st.DataObject, rotation: Rotation) -> datetime:
    """An instant within a few hours of one of the rotation's hand-offs, where off-by-one bugs live."""
    index = data.draw(st.integers(-500, 500))
    return handoff(rotation, index) + data.draw(st.timedeltas(-timedelta(hours=3), timedelta(hours=3)))


@SETTINGS
@given(rotation=rotations(), at=ANY_INSTANT)
def test_the_shift_index_brackets_any_instant_between_its_hand_offs(rotation, at):
    index = shift_index(rotation, at)
    assert handoff(rotation, index) <= at < handoff(rotation, index + 1)


@SETTINGS
@given(rotation=rotations(), data=st.data())
def test_the_shift_index_brackets_instants_just_around_a_hand_off(rotation, data):
    at = near_a_hand_off(data, rotation)
    index = shift_index(rotation, at)
    assert handoff(rotation, index) <= at < handoff(rotation, index + 1)


@SETTINGS
@given(rotation=rotations(), data=st.data())
def test_a_range_starting_near_a_hand_off_is_tiled_from_its_first_instant(rotation, data):
    start = near_a_hand_off(data, rotation)
    tiles = rotation_shifts(rotation, start, start + timedelta(days=2))
    assert tiles[0].start == start
    assert all(a.end == b.start for a, b in pairwise(tiles))


@SETTINGS
@given(layer=layers(restricted=True), span=ranges())
def test_a_restricted_layers_shifts_stay_in_range_sorted_and_apart(layer, span):
    start, end = span
    clipped = layer_shifts(layer, start, end)
    assert all(start <= s.start < s.end <= end for s in clipped)
    assert all(a.end <= b.start for a, b in pairwise(clipped))


@SETTINGS
@given(layer=layers(restricted=True), span=ranges(), data=st.data())
def test_a_restricted_layer_is_on_call_exactly_inside_its_windows(layer, span, data):
    zone = layer.rotation.time_zone
    clipped = layer_shifts(layer, *span)
    samples = data.draw(instants(*span))
    samples += [s.start for s in clipped] + [s.end - timedelta(seconds=1) for s in clipped]
    samples += [s.end for s in clipped if s.end < span[1]]
    # Within hours of a DST change the naive wall-clock oracle is wrong; test_dst_walk covers those.
    for at in (a for a in samples if not near_transition(zone, a)):
        assert (covering(clipped, at) is not None) == naively_inside(layer.restrictions, zone, at), at


@SETTINGS
@given(schedule=schedules, span=ranges(), data=st.data())
def test_final_shifts_are_sorted_apart_and_touching_same_source_shifts_are_joined(schedule, span, data):
    overrides = data.draw(overrides_within(*span, [*PEOPLE, "zed"]))
    final = shifts(schedule, overrides, *span)
    assert all(span[0] <= s.start < s.end <= span[1] for s in final)
    for a, b in pairwise(final):
        assert a.end <= b.start
        assert not (a.end == b.start and a.user == b.user and a.layer == b.layer)


@SETTINGS
@given(schedule=schedules, span=ranges(), data=st.data())
def test_on_call_names_whoever_the_shifts_name_at_every_sampled_instant(schedule, span, data):
    overrides = data.draw(overrides_within(*span, [*PEOPLE, "zed"]))
    final = shifts(schedule, overrides, *span)
    samples = (
        data.draw(instants(*span)) + [s.start for s in final] + [s.end for s in final if s.end < span[1]]
    )
    for at in samples:
        expected = covering(final, at)
        assert [o.user for o in on_call(schedule, overrides, at)] == ([expected.user] if expected else [])


@SETTINGS
@given(schedule=schedules, span=ranges(), data=st.data())
def test_on_call_bounds_are_the_persons_continuous_run_of_shifts(schedule, span, data):
    start, end = span
    overrides = data.draw(overrides_within(start, end, [*PEOPLE, "zed"]))
    runs = user_runs(shifts(schedule, overrides, start, end))
    for at in data.draw(instants(start, end)):
        run = covering(runs, at)
        if run is None:
            continue
        (found,) = on_call(schedule, overrides, at)
        # A run clipped by the range may really reach further; ranges are shorter than the horizon.
        assert found.start == run.start if run.start > start else found.start <= start
        assert found.end == run.end if run.end < end else found.end >= end


@SETTINGS
@given(schedule=schedules, span=ranges(), data=st.data())
def test_an_override_puts_its_user_on_call_for_exactly_its_window(schedule, span, data):
    start, end = span
    others = data.draw(overrides_within(start, end, PEOPLE))
    (mine,) = data.draw(overrides_within(start, end, ["zed"]).filter(lambda o: len(o) == 1))
    mine = mine.model_copy(update={"created_at": datetime(2030, 1, 1, tzinfo=UTC)})
    zed = [s for s in shifts(schedule, [*others, mine], start, end) if s.user == "zed"]
    assert [(s.start, s.end, s.layer) for s in zed] == [(mine.start, min(mine.end, end), "override")]


@SETTINGS
@given(schedule=schedules, span=ranges(), data=st.data())
def test_an_override_changes_nobody_outside_its_window(schedule, span, data):
    start, end = span
    (mine,) = data.draw(overrides_within(start, end, ["zed"]).filter(lambda o: len(o) == 1))
    samples = [*data.draw(instants(start, end)), mine.start - timedelta(microseconds=1), mine.end]
    for at in (a for a in samples if not mine.start <= a < mine.end):
        with_it = [o.user for o in on_call(schedule, [mine], at)]
        assert with_it == [o.user for o in on_call(schedule, [], at)]


@SETTINGS
@given(zone=st.sampled_from(ZONES), data=st.data())
def test_a_higher_layer_wins_wherever_it_has_someone_on_call(zone, data):
    low, high = data.draw(layers(restricted=False, zone=zone)), data.draw(layers(restricted=True, zone=zone))
    schedule = Schedule(id="s", time_zone=zone, layers=[low, high.model_copy(update={"name": "high"})])
    span = data.draw(ranges(zone=zone))
    top = layer_shifts(high, *span)
    for at in data.draw(instants(*span)):
        mine = covering(top, at)
        final = covering(shifts(schedule, [], *span), at)
        assert final is not None
        assert (final.user, final.layer) == ((mine.user, "high") if mine else (final.user, low.name))
