"""Kuaishou's result codes are named once, in kuaishou/errors.py; the app uses the names."""

import io
import re
import tokenize
from pathlib import Path

from kuaishou import Result

REPO = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("accounts", "api", "kslive_site", "kuaishou_app", "relay", "streams")
RESULT_CODE = re.compile(r"\b(?:1002001\d\d|1002005\d\d|2001\d\d|4000\d\d)\b")


def app_sources():
    for package in APP_PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path


def numbers_in_code(path: Path) -> list[str]:
    """Return the number literals of a Python file (not its strings, comments or docstrings)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [token.string for token in tokens if token.type == tokenize.NUMBER]


def test_no_app_code_spells_a_result_code_as_a_bare_number():
    bare = {
        str(path.relative_to(REPO)): codes
        for path in app_sources()
        if (codes := [n for n in numbers_in_code(path) if RESULT_CODE.fullmatch(n)])
    }
    assert bare == {}, "use kuaishou.Result names"


def test_no_template_compares_a_result_code():
    bare = {
        str(path.relative_to(REPO)): RESULT_CODE.findall(path.read_text(encoding="utf-8"))
        for path in (REPO / "templates").rglob("*.html")
        if RESULT_CODE.search(path.read_text(encoding="utf-8"))
    }
    assert bare == {}


def test_the_pattern_would_catch_every_named_code():
    failures = [code for code in Result if code not in (Result.OAUTH_SUCCESS, Result.LIVE_SUCCESS)]
    assert all(RESULT_CODE.fullmatch(str(int(code))) for code in failures)
