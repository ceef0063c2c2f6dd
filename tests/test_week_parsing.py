"""A week as a person types it (weekly_report.parse_week_text), in English or Korean: every
form of every valid ISO week reads back as that week; a week number that does not exist is
refused with a message saying why; a week without a year is the latest one of that number
not after the current week. No Qt."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ValidationError
from app.services.weekly_report import parse_iso_week, parse_week_text, weeks_in_year

# (year, week) -> what a user types; zero-padded and not, with and without spaces
FORMS = {
    "iso": "{y}-W{w:02d}",
    "iso lower, unpadded": "{y}-w{w}",
    "iso basic": "{y}W{w:02d}",
    "iso with a space": "{y} W{w}",
    "iso basic lower": "{y}w{w}",
    "korean (the dialog's list)": "{y}년 {w}주차",
    "korean 제…주": "{y}년 제{w}주",
    "korean 주": "{y}년 {w}주",
    "korean without spaces": "{y}년{w}주차",
    "korean 제…주차": "{y}년 제 {w}주차",
    "korean without 년": "{y} {w}주차",
    "korean 번째 주": "{y}년 {w}번째 주",
    "korean week first": "{w}주차 {y}년",
    "english week of year": "week {w} of {y}",
    "english week, year": "Week {w}, {y}",
    "english year week": "{y} week {w}",
    "english wk": "wk {w} {y}",
    "english W/year": "W{w}/{y}",
    "spaces around": "  {y}-W{w:02d}  ",
}

FULL_WIDTH = str.maketrans("0123456789-W", "０１２３４５６７８９－Ｗ")


@st.composite
def iso_weeks(draw, first_year: int = 1000) -> tuple[int, int]:
    year = draw(st.integers(first_year, 9998))
    return year, draw(st.integers(1, weeks_in_year(year)))


@given(iso_weeks(), st.sampled_from(sorted(FORMS)))
def test_every_form_of_a_week_reads_back_as_that_week(yw, form):
    year, week = yw
    text = FORMS[form].format(y=year, w=week)
    assert parse_week_text(text, current="2026-W49") == f"{year}-W{week:02d}", text


@given(iso_weeks())
def test_full_width_digits_as_a_korean_keyboard_may_type_them(yw):
    year, week = yw
    assert parse_week_text(f"{year}년 {week}주차".translate(FULL_WIDTH)) == f"{year}-W{week:02d}"
    assert parse_week_text(f"{year}-W{week:02d}".translate(FULL_WIDTH)) == f"{year}-W{week:02d}"


@given(iso_weeks())
def test_the_iso_week_is_the_week_the_report_covers(yw):
    year, week = yw
    monday, sunday = parse_iso_week(parse_week_text(f"{year}년 {week}주차"))
    assert monday.isocalendar()[:2] == (year, week) and monday.weekday() == 0
    assert sunday == monday + timedelta(days=6)


def test_weeks_in_year_by_hand():
    # a year has 53 ISO weeks when it starts on a Thursday (or is a leap year starting on Wednesday)
    assert weeks_in_year(2026) == 53  # 1 January 2026 is a Thursday
    assert weeks_in_year(2020) == 53  # leap year starting on a Wednesday
    assert weeks_in_year(2025) == 52 and weeks_in_year(2027) == 52
    assert date(2026, 12, 31).isocalendar()[:2] == (2026, 53)


def _refusal(text: str, current: str = "2026-W49") -> str:
    with pytest.raises(ValidationError) as info:
        parse_week_text(text, current=current)
    assert set(info.value.errors) == {"week"}
    return info.value.errors["week"]


@given(st.integers(1000, 9998).filter(lambda y: weeks_in_year(y) == 52), st.sampled_from(sorted(FORMS)))
def test_week_53_of_a_52_week_year_is_refused_saying_so(year, form):
    message = _refusal(FORMS[form].format(y=year, w=53))
    assert message == f"{year} has no week 53; its weeks are numbered 1 to 52"
    assert message.fields == {"year": year, "week": 53, "weeks": 52}


@given(st.integers(1000, 9998), st.sampled_from([0, 54, 60, 99]), st.sampled_from(sorted(FORMS)))
def test_week_numbers_outside_1_to_53_are_refused_saying_so(year, week, form):
    text = FORMS[form].format(y=year, w=week)
    assert _refusal(text) == f"there is no week {week}; weeks are numbered 1 to 53", text


@pytest.mark.parametrize("text", ["hello", "2026", "2026 47", "2026-47", "W2026", "26년 47주차", "2026-W",
                                  "week", "주차", "2026년", "123주차", "47주차 48주차", "0000-W01"])
def test_what_is_not_a_week_is_refused_with_the_form_expected(text):
    message = _refusal(text, current="2026-W49")
    assert message == f"'{text}' is not a week; type one like 2026-W49 or week 49 of 2026"


def test_nothing_typed_asks_for_a_week():
    assert _refusal("  ", current="2027-W03") == "no week given; type one like 2027-W03 or week 3 of 2027"


@pytest.mark.parametrize("text", ["47주차", "제47주", "47주", "W47", "w47", "week 47", "47"])
def test_a_week_without_a_year_is_the_latest_one_of_that_number(text):
    assert parse_week_text(text, current="2026-W49") == "2026-W47"  # this year's: it has been
    assert parse_week_text(text, current="2026-W47") == "2026-W47"  # the current week itself
    assert parse_week_text(text, current="2026-W46") == "2025-W47"  # not begun yet: last year's
    assert parse_week_text(text, current="2027-W02") == "2026-W47"  # in January, last year's


def test_week_53_without_a_year_is_last_years_when_it_had_one():
    assert parse_week_text("53주차", current="2027-W05") == "2026-W53"
    assert _refusal("53주차", current="2026-W10") == "2025 has no week 53; its weeks are numbered 1 to 52"
    assert parse_week_text("53주차", current="2026-W53") == "2026-W53"


@given(iso_weeks(first_year=1001), st.integers(1, 53))  # 1000-W01: last year has 3 digits
def test_a_week_without_a_year_is_never_after_the_current_week_nor_a_year_before_it(current, week):
    cur = f"{current[0]}-W{current[1]:02d}"
    try:
        got = parse_week_text(f"{week}주차", current=cur)
    except ValidationError:  # only week 53 in a year that has none
        assert week == 53
        return
    monday, _ = parse_iso_week(got)
    cur_monday, _ = parse_iso_week(cur)
    assert monday.isocalendar()[1] == week
    assert cur_monday - timedelta(weeks=53) < monday <= cur_monday


def test_the_messages_keep_their_fields_for_the_korean_translation():
    message = _refusal("hello", current="2026-W05")
    assert message.template == "'{text}' is not a week; type one like {year}-W{week:02d} or week {week} of {year}"
    assert message.fields == {"text": "hello", "year": 2026, "week": 5}
