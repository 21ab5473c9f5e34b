import gettext
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_there_is_a_simplified_chinese_catalog():
    assert LOCALE / "zh_Hans/LC_MESSAGES/django.po" in CATALOGS


def test_every_message_is_translated():
    for path in CATALOGS:
        po = polib.pofile(str(path))
        untranslated = [entry.msgid for entry in po.untranslated_entries()]
        fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
        assert untranslated == [], f"{path}: untranslated"
        assert fuzzy == [], f"{path}: fuzzy"


def test_compiled_catalogs_match_their_sources():
    for path in CATALOGS:
        with open(path.with_suffix(".mo"), "rb") as fp:
            compiled = gettext.GNUTranslations(fp)
        for entry in polib.pofile(str(path)).translated_entries():
            if entry.msgid_plural:
                continue
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            assert compiled._catalog.get(key) == entry.msgstr, f"run `make messages`: {entry.msgid!r}"
