"""`dlqa.usage`: ids, date ranges and sites that cannot be meant are usage errors (status 2)."""

from __future__ import annotations

import pytest

from dlqa.usage import UsageError, check_answer_id, check_date_range, check_site


def test_answer_ids_and_prefixes():
    assert check_answer_id(" 8262A860 ") == "8262a860"
    assert check_answer_id("8262a860b13d561e") == "8262a860b13d561e"
    with pytest.raises(UsageError, match=r"too short \(4 characters\).*6 or more") as short:
        check_answer_id("8262")
    assert short.value.exit_code == 2
    for bad in ("过拟合", "8262a860b13d561e00", "8262-a860", "\x1b[2J"):
        with pytest.raises(UsageError, match="16 hex digits"):
            check_answer_id(bad)


def test_date_ranges():
    check_date_range("2018-01-01", "2019-01-01")
    check_date_range("2018-01-01", "2018-01-01")
    check_date_range(None, "2018-01-01")
    with pytest.raises(UsageError, match="--since 2019-01-01 is after --until 2018-01-01"):
        check_date_range("2019-01-01", "2018-01-01")


def test_sites():
    check_site("V2EX", ["v2ex", "zhihu"])
    check_site(None, [])
    with pytest.raises(UsageError, match="unknown site 'bogus'; known sites: v2ex, zhihu"):
        check_site("bogus", ["zhihu", "v2ex", "zhihu"])
