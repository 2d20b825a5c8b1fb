"""Catalog checks: the Arabic plural rule, `scripts/catalogs.py check` on the repo, and that the checker catches
each kind of broken catalog."""

from __future__ import annotations

import gettext
import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
AR_PO = ROOT / "locales" / "ar" / "LC_MESSAGES" / "cohortbot.po"
# Written out here, not imported, so a wrong constant in the script cannot make this test pass.
AR_PLURAL_FORMS = (
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5);"
)
EN_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
CLDR_INDEX = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 4, "other": 5}
NUMBERS = [*range(201), 999, 1000, 1001, 1002, 1003, 1011, 1099, 1100, 10**6, 10**6 + 2, 10**6 + 11, 10**9 + 5]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cohortbot_catalogs_script", ROOT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


catalogs = _load_script()


# --------------------------------------------------------------------------- the Arabic plural rule


def _translations(po: Path) -> gettext.GNUTranslations:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def test_arabic_header_is_the_corrected_one() -> None:
    with AR_PO.open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.plural_forms == AR_PLURAL_FORMS
    assert catalog.num_plurals == 6
    assert catalogs._raw_header_field(AR_PO, "Plural-Forms") == AR_PLURAL_FORMS


def test_arabic_plural_rule_agrees_with_cldr() -> None:
    cldr = Locale("ar").plural_form
    plural = _translations(AR_PO).plural
    wrong = {n: (plural(n), cldr(n)) for n in NUMBERS if plural(n) != CLDR_INDEX[cldr(n)]}
    assert not wrong, f"n -> (catalog index, CLDR category): {wrong}"
    # The cases Babel's built-in rule gets wrong (python-babel issue 816).
    assert [plural(n) for n in (11, 99, 100, 102, 111)] == [4, 4, 5, 5, 4]


def test_english_header() -> None:
    with (ROOT / "locales" / "en" / "LC_MESSAGES" / "cohortbot.po").open("rb") as handle:
        assert read_po(handle).plural_forms == EN_PLURAL_FORMS


# --------------------------------------------------------------------------- the repository


def test_check_passes_on_the_repository() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "catalogs.py"), "check"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- the checker catches problems


def write_catalog(
    path: Path,
    lang: str,
    messages: list[tuple[str | tuple[str, str], str | tuple[str, ...], list[str]]],
    plural_forms: str | None = None,
) -> Path:
    catalog = Catalog(locale=lang, fuzzy=False)
    catalog.mime_headers = [("Plural-Forms", plural_forms or catalogs.PLURAL_FORMS[lang])]
    for msgid, msgstr, flags in messages:
        catalog.add(msgid, msgstr, flags=flags)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return path


DAYS = ("{count} day", "{count} days")
GOOD_AR = [
    ("Hello {name}", "مرحبًا يا {name}", []),
    ("<b>Your privacy</b>", "<b>خصوصيتك</b>", []),
    (DAYS, ("لا أيام", "يوم واحد", "يومان", "{count} أيام", "{count} يومًا", "{count} يوم"), []),
]


def _has(problems: list[str], *needles: str) -> bool:
    return any(all(needle in line for needle in needles) for line in problems)


def _all_checks(po: Path, lang: str) -> list[str]:
    return catalogs.check_translations(po, lang) + catalogs.check_plural_header(po, lang) + catalogs.check_compiles(po)


def test_good_catalog_has_no_problems(tmp_path: Path) -> None:
    po = write_catalog(tmp_path / "ar.po", "ar", GOOD_AR)
    assert _all_checks(po, "ar") == []


def test_fuzzy_arabic_entry(tmp_path: Path) -> None:
    po = write_catalog(tmp_path / "ar.po", "ar", [*GOOD_AR, ("Thank you.", "شكرًا لك.", ["fuzzy"])])
    problems = catalogs.check_translations(po, "ar")
    assert _has(problems, '"Thank you."', "fuzzy"), problems
    assert len(problems) == 1


def test_untranslated_arabic_entries(tmp_path: Path) -> None:
    half = ("{count} trainee", "{count} trainees")
    po = write_catalog(
        tmp_path / "ar.po",
        "ar",
        [*GOOD_AR, ("Thank you.", "", []), (half, ("", "متدرّب واحد", "متدرّبان", "", "{count} متدرّبًا", ""), [])],
    )
    problems = catalogs.check_translations(po, "ar")
    assert _has(problems, '"Thank you."', "untranslated"), problems
    for index in (0, 3, 5):
        assert _has(problems, '"{count} trainee"', f"untranslated msgstr[{index}]"), problems
    assert not _has(problems, "msgstr[1]") and not _has(problems, "msgstr[4]")


def test_english_may_stay_empty_but_not_half_filled(tmp_path: Path) -> None:
    po = write_catalog(tmp_path / "en.po", "en", [("Thank you.", "", []), (DAYS, ("", ""), [])])
    assert _all_checks(po, "en") == []
    po = write_catalog(tmp_path / "en2.po", "en", [(DAYS, ("One day", ""), [])])
    assert _has(catalogs.check_translations(po, "en"), '"{count} day"', "msgstr[1]", "empty")


def test_missing_unknown_and_broken_placeholders(tmp_path: Path) -> None:
    po = write_catalog(
        tmp_path / "ar.po",
        "ar",
        [
            ("Hello {name}", "مرحبًا", []),
            ("Town: {town}", "المدينة: {city}", []),
            ("Join {cohort}?", "هل تنضم إلى {cohort؟", []),
        ],
    )
    problems = catalogs.check_translations(po, "ar")
    assert _has(problems, '"Hello {name}"', "missing placeholder {name}"), problems
    assert _has(problems, '"Town: {town}"', "missing placeholder {town}"), problems
    assert _has(problems, '"Town: {town}"', "unknown placeholder {city}"), problems
    assert _has(problems, '"Join {cohort}?"', "do not parse"), problems


def test_plural_forms_may_omit_count_only_for_zero_one_two(tmp_path: Path) -> None:
    forms = ("لا أيام", "يوم واحد", "يومان", "أيام", "{count} يومًا", "{count} يوم {name}")
    po = write_catalog(tmp_path / "ar.po", "ar", [(DAYS, forms, [])])
    problems = catalogs.check_translations(po, "ar")
    assert _has(problems, "msgstr[3]", "missing placeholder {count}"), problems
    assert _has(problems, "msgstr[5]", "unknown placeholder {name}"), problems
    assert not _has(problems, "msgstr[0]") and not _has(problems, "msgstr[1]") and not _has(problems, "msgstr[2]")
    assert len(problems) == 2


def test_extra_html_tag(tmp_path: Path) -> None:
    po = write_catalog(
        tmp_path / "ar.po",
        "ar",
        [
            ("<b>Your privacy</b>", "<b>خصوصيتك</b> <i>المهمة</i>", []),
            ("<b>Cohorts</b>", "<b>الدفعات</b", []),
            ("<b>Name</b>: <i>{name}</i>", "<b>الاسم: <i>{name}</b></i>", []),
        ],
    )
    problems = catalogs.check_translations(po, "ar")
    assert _has(problems, '"<b>Your privacy</b>"', "HTML tags differ", "extra </i> <i>"), problems
    assert _has(problems, '"<b>Cohorts</b>"', "HTML tags differ", "missing </b>"), problems
    assert _has(problems, '"<b>Name</b>: <i>{name}</i>"', "not properly nested"), problems


def test_wrong_plural_header(tmp_path: Path) -> None:
    babel_builtin = (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=0 && n%100<=2 ? 4 : 5);"
    )
    po = write_catalog(tmp_path / "ar.po", "ar", GOOD_AR, plural_forms=babel_builtin)
    assert _has(catalogs.check_plural_header(po, "ar"), "Plural-Forms is", "expected"), po.read_text()
    two = write_catalog(tmp_path / "ar2.po", "ar", [], plural_forms=EN_PLURAL_FORMS)
    problems = catalogs.check_plural_header(two, "ar")
    assert _has(problems, "Plural-Forms is") and _has(problems, "nplurals is 2"), problems


@pytest.mark.parametrize(
    "tail",
    [
        'msgid "Broken"\nnot a keyword "x"\nmsgstr "y"\n',  # syntax error
        'msgid "Broken"\n',  # msgid without msgstr
        'msgid "A"\nmsgid_plural "As"\n' + "".join(f'msgstr[{i}] "x"\n' for i in range(7)),  # 7 forms
        '#, python-format\nmsgid "Hi %(name)s"\nmsgstr "مرحبًا %(nom)s"\n',  # Babel's %-format checker
    ],
)
def test_catalog_that_does_not_compile(tmp_path: Path, tail: str) -> None:
    po = write_catalog(tmp_path / "ar.po", "ar", GOOD_AR)
    po.write_text(po.read_text(encoding="utf-8") + "\n" + tail, encoding="utf-8")
    assert catalogs.check_compiles(po), "must be reported"
    assert catalogs.check_compiles(write_catalog(tmp_path / "ok.po", "ar", GOOD_AR)) == []


def _project(tmp_path: Path, source: str) -> tuple[Path, Path, Path]:
    (tmp_path / "bot").mkdir(exist_ok=True)
    (tmp_path / "bot" / "texts.py").write_text(source, encoding="utf-8")
    cfg = tmp_path / "babel.cfg"
    cfg.write_text("[python: bot/**.py]\n", encoding="utf-8")
    return tmp_path, cfg, tmp_path / "locales" / "cohortbot.pot"


def test_stale_pot_is_reported_but_moved_lines_are_not(tmp_path: Path) -> None:
    root, cfg, pot = _project(tmp_path, 'from x import _\n_("Hello {name}")\n')
    catalogs.extract(pot, root, cfg)
    assert catalogs.check_pot_current(pot, root, cfg) == []

    (root / "bot" / "texts.py").write_text('from x import _\n\n\n_("Hello {name}")\n', encoding="utf-8")
    assert catalogs.check_pot_current(pot, root, cfg) == [], "only line numbers changed"

    (root / "bot" / "texts.py").write_text(
        'from x import _, _n\n_("Hello {name}")\n_n("{count} day", "{count} days", 2)\n', encoding="utf-8"
    )
    problems = catalogs.check_pot_current(pot, root, cfg)
    assert _has(problems, "cohortbot.pot", '"{count} day"', "not in the POT"), problems

    (root / "bot" / "texts.py").write_text("from x import _\n", encoding="utf-8")
    assert _has(catalogs.check_pot_current(pot, root, cfg), '"Hello {name}"', "no longer in the source")


def test_po_out_of_step_with_pot(tmp_path: Path) -> None:
    root, cfg, pot = _project(tmp_path, 'from x import _\n_("Hello {name}")\n_("Thank you.")\n')
    catalogs.extract(pot, root, cfg)
    po = write_catalog(tmp_path / "ar.po", "ar", [("Hello {name}", "مرحبًا يا {name}", []), ("Bye", "وداعًا", [])])
    problems = catalogs.check_po_matches_pot(po, pot)
    assert _has(problems, '"Thank you."', "missing here"), problems
    assert _has(problems, '"Bye"', "not in the POT"), problems


def test_fstring_inside_gettext_is_reported(tmp_path: Path) -> None:
    root, cfg, _pot = _project(tmp_path, 'from x import _\nname = "a"\n_(f"Hello {name}")\n_("Hi {n}".format(n=1))\n')
    problems = catalogs.check_source_calls(root, cfg)
    assert _has(problems, "bot/texts.py:3", "f-string"), problems
    assert _has(problems, "bot/texts.py:4", ".format()"), problems


# --------------------------------------------------------------------------- update keeps the pinned headers


def test_update_creates_and_keeps_pinned_headers(tmp_path: Path) -> None:
    root, cfg, _pot = _project(
        tmp_path, 'from x import _, _n\n_n("You are in {count} cohort:", "You are in {count} cohorts:", 2)\n'
    )
    locales = tmp_path / "locales"
    catalogs.update(root, cfg, locales, ("ar", "en"))
    ar, en = catalogs.po_path("ar", locales), catalogs.po_path("en", locales)
    assert catalogs._raw_header_field(ar, "Plural-Forms") == AR_PLURAL_FORMS
    assert catalogs._raw_header_field(en, "Plural-Forms") == EN_PLURAL_FORMS

    # A new message similar to an untranslated plural entry must not come out fuzzy (Babel quirk).
    (root / "bot" / "texts.py").write_text(
        'from x import _, _n\n_n("You are in {count} cohort:", "You are in {count} cohorts:", 2)\n'
        '_("You have no cohorts yet.")\n',
        encoding="utf-8",
    )
    catalogs.update(root, cfg, locales, ("ar", "en"))
    for po in (ar, en):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        message = catalog.get("You have no cohorts yet.")
        assert message is not None and not message.fuzzy and "python-brace-format" not in message.flags
    assert catalogs._raw_header_field(ar, "Plural-Forms") == AR_PLURAL_FORMS
    assert catalogs.check_pot_current(locales / "cohortbot.pot", root, cfg) == []
    assert catalogs.check_po_matches_pot(en, locales / "cohortbot.pot") == []
    assert catalogs.check_translations(en, "en") == []
    assert _has(catalogs.check_translations(ar, "ar"), "You have no cohorts yet.", "untranslated")


def test_update_replaces_babels_arabic_header_and_flags_plural_translations(tmp_path: Path) -> None:
    root, cfg, pot = _project(tmp_path, 'from x import _n\n_n("{count} day", "{count} days", 2)\n')
    catalogs.extract(pot, root, cfg)
    ar = catalogs.po_path("ar", tmp_path / "locales")
    babel_builtin = Catalog(locale="ar").plural_forms
    if babel_builtin == AR_PLURAL_FORMS:
        pytest.skip("Babel's built-in Arabic rule is fixed; nothing to replace")
    write_catalog(ar, "ar", [GOOD_AR[2]], plural_forms=babel_builtin)
    with pot.open("rb") as handle:
        template = read_po(handle)
    catalogs.update_po("ar", template, pot, ar)
    assert catalogs._raw_header_field(ar, "Plural-Forms") == AR_PLURAL_FORMS
    assert _has(catalogs.check_translations(ar, "ar"), '"{count} day"', "fuzzy")
