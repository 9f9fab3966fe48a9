"""The retention rule: ten years after the last service, after the 18th birthday for a minor, never without the
birth date of someone who could be a minor; leap days never a day early."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.privacy.retention import Basis, Person, anniversary, in_words, is_minor, retention

days = st.dates(min_value=date(1920, 1, 1), max_value=date(2090, 12, 31))
years = st.integers(min_value=1, max_value=50)
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_an_adult_is_kept_ten_years_after_the_last_service() -> None:
    kept = retention(Person(date(2016, 3, 1), date(2015, 1, 5), birth_date=date(1980, 6, 1)), 10)
    assert (kept.basis, kept.destroy_on) == (Basis.ADULT, date(2026, 3, 1))
    assert kept.rule == "ten years after the last service on 2016-03-01"
    assert not kept.due(date(2026, 2, 28)) and kept.due(date(2026, 3, 1))


def test_a_minor_is_kept_ten_years_after_the_18th_birthday() -> None:
    kept = retention(Person(date(2016, 3, 1), date(2015, 1, 5), birth_date=date(2004, 9, 15)), 10)
    assert (kept.basis, kept.destroy_on) == (Basis.MINOR, date(2032, 9, 15))
    assert kept.rule == "ten years after the 18th birthday on 2022-09-15, under 18 at the last service on 2016-03-01"


def test_someone_who_turned_18_on_the_day_of_the_last_service_is_an_adult() -> None:
    assert retention(Person(date(2016, 3, 1), date(2016, 1, 1), birth_date=date(1998, 3, 1)), 10).basis == Basis.ADULT
    assert retention(Person(date(2016, 2, 29), date(2016, 1, 1), birth_date=date(1998, 3, 1)), 10).basis == Basis.MINOR


def test_without_a_birth_date_a_patient_not_known_to_be_an_adult_is_never_due() -> None:
    kept = retention(Person(date(2000, 3, 1), date(2000, 1, 1)), 10)
    assert (kept.basis, kept.destroy_on) == (Basis.BIRTH_DATE_NEEDED, None)
    assert not kept.due(date(2090, 1, 1))
    assert kept.rule == "birth date needed: could have been under 18 at the last service on 2000-03-01"


def test_said_to_be_an_adult_after_the_last_service_is_not_enough() -> None:
    assert retention(Person(date(2016, 3, 1), date(2016, 1, 1), adult_on=date(2016, 3, 2)), 10).basis \
        == Basis.BIRTH_DATE_NEEDED
    assert retention(Person(date(2016, 3, 1), date(2016, 1, 1), adult_on=date(2016, 3, 1)), 10).destroy_on \
        == date(2026, 3, 1)


def test_no_service_counts_from_the_last_record() -> None:
    kept = retention(Person(None, date(2014, 7, 2)), 10)
    assert (kept.basis, kept.destroy_on) == (Basis.NO_SERVICE, date(2024, 7, 2))
    assert kept.rule == "ten years after the last record was made on 2014-07-02, no visit having taken place"


@pytest.mark.parametrize(("day", "years", "expected"), [
    (date(2016, 2, 29), 10, date(2026, 3, 1)),
    (date(2016, 2, 29), 4, date(2020, 2, 29)),
    (date(2016, 2, 28), 10, date(2026, 2, 28)),
    (date(2000, 2, 29), 100, date(2100, 3, 1)),
])
def test_leap_days_fall_on_march_first_in_other_years(day: date, years: int, expected: date) -> None:
    assert anniversary(day, years) == expected


def test_a_leap_day_baby_turns_18_on_march_first() -> None:
    born = date(2008, 2, 29)
    assert is_minor(born, date(2026, 2, 28)) and not is_minor(born, date(2026, 3, 1))


def test_years_in_words() -> None:
    assert [in_words(n) for n in (1, 10, 25)] == ["one year", "ten years", "25 years"]


@relaxed
@given(day=days, n=years)
def test_an_anniversary_is_never_early_and_at_most_a_day_late(day: date, n: int) -> None:
    later = anniversary(day, n)
    assert later.year == day.year + n
    assert (later.month, later.day) == (day.month, day.day) or (day.month, day.day, later.month, later.day) == (2, 29, 3, 1)


@relaxed
@given(last=days, born=days, n=years)
def test_the_date_is_never_before_the_years_after_the_last_service_nor_the_18th_birthday(
        last: date, born: date, n: int) -> None:
    kept = retention(Person(last, last, birth_date=born), n)
    assert kept.destroy_on is not None
    assert kept.destroy_on >= anniversary(last, n)
    if is_minor(born, last):
        assert kept.basis == Basis.MINOR and kept.destroy_on == anniversary(anniversary(born, 18), n)
    else:
        assert kept.basis == Basis.ADULT and kept.destroy_on == anniversary(last, n)


@relaxed
@given(last=days, born=days, n=years, later=st.integers(min_value=1, max_value=3650))
def test_a_later_service_never_brings_the_date_forward(last: date, born: date, n: int, later: int) -> None:
    if last + timedelta(days=later) > date(2090, 12, 31):
        return
    first = retention(Person(last, last, birth_date=born), n).destroy_on
    second = retention(Person(last + timedelta(days=later), last, birth_date=born), n).destroy_on
    assert first is not None and second is not None and second >= first


@relaxed
@given(last=days, n=years, today=days)
def test_due_exactly_from_the_date_on(last: date, n: int, today: date) -> None:
    kept = retention(Person(last, last, adult_on=last), n)
    assert kept.due(today) == (today >= anniversary(last, n))
