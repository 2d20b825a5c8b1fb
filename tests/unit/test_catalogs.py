"""Catalog checks: the Arabic plural rule, the catalogs of the repository, that scripts/check_catalogs.py catches
each kind of broken catalog, and that Babel's own tools (with the Makefile's flags) catch the rest."""

from __future__ import annotations

import gettext
import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
AR_PO = ROOT / "locales" / "ar" / "LC_MESSAGES" / "cohortbot.po"
# Written out here, not imported, so a wrong constant in the script cannot make this test pass.
AR_PLURAL_FORMS = (
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5);"
)
EN_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
PLURAL_FORMS = {"ar": AR_PLURAL_FORMS, "en": EN_PLURAL_FORMS}
CLDR_INDEX = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 4, "other": 5}
NUMBERS = [*range(201), 999, 1000, 1001, 1002, 1003, 1011, 1099, 1100, 10**6, 10**6 + 2, 10**6 + 11, 10**9 + 5]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cohortbot_check_catalogs", ROOT / "scripts" / "check_catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


checker = _load_script()


def _makefile_flags(name: str) -> list[str]:
    """The pybabel flags `make catalogs-update` and `make catalogs-check` use (one source of truth)."""
    match = re.search(rf"^{name} := (.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{name} not in the Makefile"
    return shlex.split(match.group(1))


def pybabel(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "babel.messages.frontend", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


# --------------------------------------------------------------------------- the Arabic plural rule


def test_arabic_header_is_the_corrected_one() -> None:
    with AR_PO.open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.plural_forms == AR_PLURAL_FORMS
    assert catalog.num_plurals == 6
    assert dict(catalog.mime_headers)["Plural-Forms"] == AR_PLURAL_FORMS


def test_arabic_plural_rule_agrees_with_cldr() -> None:
    cldr = Locale("ar").plural_form
    with AR_PO.open("rb") as handle:
        plural = gettext.c2py(read_po(handle).plural_expr)
    wrong = {n: (plural(n), cldr(n)) for n in NUMBERS if plural(n) != CLDR_INDEX[cldr(n)]}
    assert not wrong, f"n -> (catalog index, CLDR category): {wrong}"
    # The cases Babel's old built-in rule got wrong (python-babel issue 816).
    assert [plural(n) for n in (11, 99, 100, 102, 111)] == [4, 4, 5, 5, 4]


def test_english_header() -> None:
    with (ROOT / "locales" / "en" / "LC_MESSAGES" / "cohortbot.po").open("rb") as handle:
        assert read_po(handle).plural_forms == EN_PLURAL_FORMS


def test_pybabel_init_writes_an_arabic_rule_that_agrees_with_cldr(tmp_path: Path) -> None:
    """Babel 2.19 fixed issue 816: a catalog `pybabel init -l ar` starts passes the plural rule check."""
    pot = tmp_path / "cohortbot.pot"
    with pot.open("wb") as handle:
        write_po(handle, Catalog())
    po = tmp_path / "ar.po"
    assert pybabel("init", "-l", "ar", "-i", pot, "-o", po).returncode == 0
    assert checker.plural_problems(checker.read_strict(po), "ar") == []


# --------------------------------------------------------------------------- the repository


def test_checker_passes_on_the_repository() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_catalogs.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_template_and_catalogs_are_up_to_date_with_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "cohortbot.pot"
    assert pybabel("extract", *_makefile_flags("BABEL_EXTRACT_FLAGS"), "-o", fresh, ".").returncode == 0
    assert _without_date(fresh) == _without_date(ROOT / "locales" / "cohortbot.pot"), "run make catalogs-update"
    update = pybabel("update", "--check", "-D", "cohortbot", "-i", fresh, "-d", ROOT / "locales",
                     *_makefile_flags("BABEL_UPDATE_FLAGS"))  # fmt: skip
    assert update.returncode == 0, update.stderr


def _without_date(pot: Path) -> list[str]:
    return [line for line in pot.read_text(encoding="utf-8").splitlines() if "POT-Creation-Date" not in line]


# --------------------------------------------------------------------------- the checker catches problems


def write_catalog(
    path: Path,
    lang: str,
    messages: list[tuple[str | tuple[str, str], str | tuple[str, ...], list[str]]],
    plural_forms: str | None = None,
) -> Path:
    catalog = Catalog(locale=lang, fuzzy=False)
    catalog.mime_headers = [("Plural-Forms", plural_forms or PLURAL_FORMS[lang])]
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
    return checker.check_catalog(po, lang)


def test_good_catalog_has_no_problems(tmp_path: Path) -> None:
    po = write_catalog(tmp_path / "ar.po", "ar", GOOD_AR)
    assert _all_checks(po, "ar") == []


def test_fuzzy_arabic_entry(tmp_path: Path) -> None:
    po = write_catalog(tmp_path / "ar.po", "ar", [*GOOD_AR, ("Thank you.", "شكرًا لك.", ["fuzzy"])])
    problems = checker.check_catalog(po, "ar")
    assert _has(problems, '"Thank you."', "fuzzy"), problems
    assert len(problems) == 1


def test_untranslated_arabic_entries(tmp_path: Path) -> None:
    half = ("{count} trainee", "{count} trainees")
    po = write_catalog(
        tmp_path / "ar.po",
        "ar",
        [*GOOD_AR, ("Thank you.", "", []), (half, ("", "متدرّب واحد", "متدرّبان", "", "{count} متدرّبًا", ""), [])],
    )
    problems = checker.check_catalog(po, "ar")
    assert _has(problems, '"Thank you."', "untranslated"), problems
    for index in (0, 3, 5):
        assert _has(problems, '"{count} trainee"', f"untranslated msgstr[{index}]"), problems
    assert not _has(problems, "msgstr[1]") and not _has(problems, "msgstr[4]")


def test_english_may_stay_empty_but_not_half_filled(tmp_path: Path) -> None:
    po = write_catalog(tmp_path / "en.po", "en", [("Thank you.", "", []), (DAYS, ("", ""), [])])
    assert _all_checks(po, "en") == []
    po = write_catalog(tmp_path / "en2.po", "en", [(DAYS, ("One day", ""), [])])
    assert _has(checker.check_catalog(po, "en"), '"{count} day"', "msgstr[1]", "empty")


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
    problems = checker.check_catalog(po, "ar")
    assert _has(problems, '"Hello {name}"', "missing placeholder {name}"), problems
    assert _has(problems, '"Town: {town}"', "missing placeholder {town}"), problems
    assert _has(problems, '"Town: {town}"', "unknown placeholder {city}"), problems
    assert _has(problems, '"Join {cohort}?"', "do not parse"), problems


def test_percent_placeholders_agree_even_without_the_python_format_flag(tmp_path: Path) -> None:
    po = write_catalog(
        tmp_path / "ar.po", "ar", [("Hi %(name)s", "مرحبًا %(nom)s", []), ("%(n)s%% done", "تم %(n)s%%", [])]
    )
    problems = checker.check_catalog(po, "ar")
    assert _has(problems, '"Hi %(name)s"', "missing placeholder {name}"), problems
    assert _has(problems, '"Hi %(name)s"', "unknown placeholder {nom}"), problems
    assert len(problems) == 2


def test_fuzzy_header_and_obsolete_entries(tmp_path: Path) -> None:
    po = write_catalog(tmp_path / "ar.po", "ar", GOOD_AR)
    text = po.read_text(encoding="utf-8").replace('msgid ""', '#, fuzzy\nmsgid ""', 1)
    po.write_text(text + '\n#~ msgid "Old"\n#~ msgstr "قديم"\n', encoding="utf-8")
    problems = checker.check_catalog(po, "ar")
    assert _has(problems, "header is marked fuzzy"), problems
    assert _has(problems, "1 obsolete (#~) entries"), problems
    assert len(problems) == 2


def test_plural_forms_may_omit_count_only_for_zero_one_two(tmp_path: Path) -> None:
    forms = ("لا أيام", "يوم واحد", "يومان", "أيام", "{count} يومًا", "{count} يوم {name}")
    po = write_catalog(tmp_path / "ar.po", "ar", [(DAYS, forms, [])])
    problems = checker.check_catalog(po, "ar")
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
    problems = checker.check_catalog(po, "ar")
    assert _has(problems, '"<b>Your privacy</b>"', "HTML tags differ", "extra </i> <i>"), problems
    assert _has(problems, '"<b>Cohorts</b>"', "HTML tags differ", "missing </b>"), problems
    assert _has(problems, '"<b>Name</b>: <i>{name}</i>"', "not properly nested"), problems


def test_wrong_plural_header(tmp_path: Path) -> None:
    babel_builtin = (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=0 && n%100<=2 ? 4 : 5);"
    )
    po = write_catalog(tmp_path / "ar.po", "ar", GOOD_AR, plural_forms=babel_builtin)
    assert _has(checker.check_catalog(po, "ar"), "Plural-Forms is", "expected"), po.read_text()
    two = write_catalog(tmp_path / "ar2.po", "ar", [], plural_forms=EN_PLURAL_FORMS)
    problems = checker.check_catalog(two, "ar")
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
    assert _compile_problems(po, tmp_path), "must be reported"
    assert _compile_problems(write_catalog(tmp_path / "ok.po", "ar", GOOD_AR), tmp_path) == []


def _compile_problems(po: Path, tmp_path: Path) -> list[str]:
    """What `make catalogs-check` reports for a catalog: `pybabel compile`'s errors, then the checker's."""
    result = pybabel("compile", "-D", "cohortbot", "-l", "ar", "-i", po, "-o", tmp_path / "out.mo")
    return ([result.stderr] if result.returncode else []) + checker.check_catalog(po, "ar")


def _project(tmp_path: Path, source: str) -> tuple[Path, Path]:
    (tmp_path / "bot").mkdir(exist_ok=True)
    (tmp_path / "bot" / "texts.py").write_text(source, encoding="utf-8")
    (tmp_path / "babel.cfg").write_text("[python: bot/**.py]\n", encoding="utf-8")
    return tmp_path, tmp_path / "locales" / "cohortbot.pot"


def _extract(root: Path, pot: Path) -> None:
    pot.parent.mkdir(parents=True, exist_ok=True)
    result = pybabel("extract", *_makefile_flags("BABEL_EXTRACT_FLAGS"), "-o", pot, ".", cwd=root)
    assert result.returncode == 0, result.stderr


def _update(root: Path, pot: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return pybabel("update", *extra, "-D", "cohortbot", "-i", pot, "-d", pot.parent,
                   *_makefile_flags("BABEL_UPDATE_FLAGS"), cwd=root)  # fmt: skip


def test_stale_pot_is_reported_but_moved_lines_are_not(tmp_path: Path) -> None:
    root, pot = _project(tmp_path, 'from x import _\n_("Hello {name}")\n')
    _extract(root, pot)
    fresh = root / "fresh.pot"

    (root / "bot" / "texts.py").write_text('from x import _\n\n\n_("Hello {name}")\n', encoding="utf-8")
    _extract(root, fresh)
    assert _without_date(fresh) == _without_date(pot), "only line numbers changed"

    (root / "bot" / "texts.py").write_text(
        'from x import _, ngettext\n_("Hello {name}")\nngettext("{count} day", "{count} days", 2)\n', encoding="utf-8"
    )
    _extract(root, fresh)
    assert _without_date(fresh) != _without_date(pot)
    assert 'msgid "{count} day"' in fresh.read_text(encoding="utf-8")


def test_po_out_of_step_with_pot(tmp_path: Path) -> None:
    root, pot = _project(tmp_path, 'from x import _\n_("Hello {name}")\n_("Thank you.")\n')
    _extract(root, pot)
    po = write_catalog(pot.parent / "ar" / "LC_MESSAGES" / "cohortbot.po", "ar",
                       [("Hello {name}", "مرحبًا يا {name}", []), ("Bye", "وداعًا", [])])  # fmt: skip
    result = _update(root, pot, "--check")
    assert result.returncode != 0 and "out of date" in result.stderr, result.stderr
    assert _update(root, pot).returncode == 0
    assert _update(root, pot, "--check").returncode == 0
    with po.open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.get("Thank you.") is not None and catalog.get("Bye") is None, "stale entry dropped, not obsolete"
    assert not catalog.obsolete


def test_fstring_inside_gettext_is_reported(tmp_path: Path) -> None:
    """ruff's flake8-gettext rules (INT), selected in pyproject.toml, catch formatting inside _() and N_()."""
    root, _pot = _project(
        tmp_path,
        'from x import N_, _\nname = "a"\n_(f"Hello {name}")\n_("Hi {n}".format(n=1))\n_("Hi %s" % name)\n'
        'N_(f"Bye {name}")\n',
    )
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
               "--output-format", "concise", "bot/texts.py"]  # fmt: skip
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60, check=False)
    for line, rule in ((3, "INT001"), (4, "INT002"), (5, "INT003"), (6, "INT001")):
        assert f"bot/texts.py:{line}:" in result.stdout and rule in result.stdout, result.stdout


# --------------------------------------------------------------------------- update keeps the pinned headers


def test_update_keeps_pinned_headers_and_makes_nothing_fuzzy(tmp_path: Path) -> None:
    root, pot = _project(
        tmp_path, 'from x import ngettext\nngettext("You are in {count} cohort:", "You are in {count} cohorts:", 2)\n'
    )
    _extract(root, pot)
    ar = write_catalog(pot.parent / "ar" / "LC_MESSAGES" / "cohortbot.po", "ar", [])
    en = write_catalog(pot.parent / "en" / "LC_MESSAGES" / "cohortbot.po", "en", [])
    assert _update(root, pot).returncode == 0

    # A new message similar to an untranslated plural entry must not come out fuzzy (no fuzzy matching).
    (root / "bot" / "texts.py").write_text(
        'from x import _, ngettext\nngettext("You are in {count} cohort:", "You are in {count} cohorts:", 2)\n'
        '_("You have no cohorts yet.")\n',
        encoding="utf-8",
    )
    _extract(root, pot)
    assert _update(root, pot).returncode == 0
    for po, lang in ((ar, "ar"), (en, "en")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        assert dict(catalog.mime_headers)["Plural-Forms"] == PLURAL_FORMS[lang]
        message = catalog.get("You have no cohorts yet.")
        assert message is not None and not message.fuzzy and "python-brace-format" not in message.flags
    assert checker.check_catalog(en, "en") == []
    assert _has(checker.check_catalog(ar, "ar"), "You have no cohorts yet.", "untranslated")
