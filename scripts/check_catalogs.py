#!/usr/bin/env python3
"""Check what `pybabel` does not in cohortbot's catalogs; `make catalogs-check` runs it after Babel's own checks.

Usage: ``python scripts/check_catalogs.py [PO_FILE ...]`` (default: every locales/*/LC_MESSAGES/cohortbot.po).
Prints one line per problem and exits 1 if there is any. Rules, per catalog:

- it parses strictly (`pybabel compile` skips a malformed line with a warning);
- the header is not fuzzy (`pybabel compile` would skip the whole catalog);
- Plural-Forms agrees with CLDR for n in 0..1000 and more (python-babel issue 816 swapped Arabic's last two forms);
- no obsolete (#~) entries, no fuzzy entries, and Arabic has every entry and every plural form translated
  (English may stay empty, falling back to the msgid, but not half of a plural);
- each translation has the msgid's `{name}` and `%(name)s` placeholders, no more, no fewer (a plural form used
  only for n in 0..2 may leave out {count}: "يومان"), and the same HTML tags, properly nested.
"""

from __future__ import annotations

import gettext
import re
import string
import sys
from collections import Counter
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "cohortbot"
COMPLETE_LANGUAGES = frozenset({"ar"})
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")
PLURAL_SAMPLES = [*range(1001), 1011, 1099, 1100, 10**6, 10**6 + 2, 10**6 + 11, 10**9 + 5]
COUNT_PLACEHOLDERS = frozenset({"count"})
_PERCENT_NAME = re.compile(r"%\((\w+)\)")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)\b[^<>]*?(/?)\s*>")


def read_strict(po: Path) -> Catalog:
    with po.open("rb") as handle:
        return read_po(handle, domain=DOMAIN, abort_invalid=True)


def plural_problems(catalog: Catalog, lang: str) -> list[str]:
    """The catalog's plural rule picks, for every sample n, the form of n's CLDR category."""
    categories = [c for c in CLDR_ORDER if c in Locale.parse(lang).plural_form.tags | {"other"}]
    header = dict(catalog.mime_headers).get("Plural-Forms", "(none)")
    if catalog.num_plurals != len(categories):
        return [f"Plural-Forms is {header!r}: nplurals is {catalog.num_plurals}, {lang} needs {len(categories)}"]
    rule = gettext.c2py(catalog.plural_expr)
    cldr = Locale.parse(lang).plural_form
    wrong = [n for n in PLURAL_SAMPLES if rule(n) != categories.index(cldr(n))]
    if wrong:
        return [f"Plural-Forms is {header!r}: it disagrees with CLDR at n={wrong[:5]}; expected the CLDR order "
                f"{'/'.join(categories)}"]  # fmt: skip
    return []


def placeholders(text: str) -> set[str] | None:
    """Names of `{name}` (str.format) and `%(name)s` fields; None if the braces do not parse."""
    names = set(_PERCENT_NAME.findall(text))
    try:
        for _literal, field, spec, _conversion in string.Formatter().parse(text):
            if field is not None:
                names.add(field)
                nested = placeholders(spec or "")
                if nested is None:
                    return None
                names |= nested
    except ValueError:
        return None
    return names


def placeholder_problems(msgids: list[str], translation: str, may_omit: frozenset[str] = frozenset()) -> list[str]:
    wanted = [placeholders(msgid) for msgid in msgids]
    if any(names is None for names in wanted):  # the msgid is no format string: keep its braces as they are
        braces = Counter(c for c in msgids[-1] if c in "{}")
        return [] if braces == Counter(c for c in translation if c in "{}") else ["braces { } differ from the msgid"]
    have = placeholders(translation)
    if have is None:
        return ["braces { } do not parse as a str.format string (unbalanced or bad field)"]
    want = set().union(*(names for names in wanted if names is not None))
    problems = []
    if missing := want - have - may_omit:
        problems.append(f"missing placeholder {_braced(missing)}")
    if extra := have - want:
        problems.append(f"unknown placeholder {_braced(extra)} (not in the msgid)")
    return problems


def _braced(names: set[str]) -> str:
    return ", ".join("{" + name + "}" for name in sorted(names))


def html_tags(text: str) -> Counter[str]:
    """Multiset of tags, attributes dropped: "<b>", "</b>", "<a>"."""
    return Counter(f"<{close}{name.lower()}>" for close, name, _self in _TAG.findall(text))


def _nested(text: str) -> bool:
    stack: list[str] = []
    for close, name, self_closing in _TAG.findall(text):
        if self_closing:
            continue
        if not close:
            stack.append(name.lower())
        elif not stack or stack.pop() != name.lower():
            return False
    return not stack


def tag_problems(msgids: list[str], translation: str) -> list[str]:
    have = html_tags(translation)
    if not any(have == html_tags(msgid) for msgid in msgids):
        want = html_tags(msgids[-1])
        bits = [f"{word} {' '.join(sorted(tags.elements()))}"
                for word, tags in (("missing", want - have), ("extra", have - want)) if tags]  # fmt: skip
        return ["HTML tags differ from the msgid: " + "; ".join(bits)]
    if all(_nested(msgid) for msgid in msgids) and not _nested(translation):
        return ["HTML tags are not properly nested (Telegram rejects the message)"]
    return []


def message_problems(message: Message, catalog: Catalog, lang: str) -> list[str]:
    complete = lang in COMPLETE_LANGUAGES
    problems = ["fuzzy (review the translation, then delete the '#, fuzzy' line)"] if message.fuzzy else []
    if isinstance(message.id, str):
        translation = message.string if isinstance(message.string, str) else ""
        if not translation:
            return [*problems, "untranslated"] if complete else problems
        return problems + placeholder_problems([message.id], translation) + tag_problems([message.id], translation)
    strings = list(message.string or ())
    forms = [*strings, *[""] * (catalog.num_plurals - len(strings))]
    rule = gettext.c2py(catalog.plural_expr)
    msgids = [message.id[1], message.id[0]]
    for index, text in enumerate(forms):
        label = f"msgstr[{index}]"
        if not text:
            if complete:
                problems.append(f"untranslated {label}")
            elif any(forms):
                problems.append(f"{label} is empty while other forms are filled")
            continue
        only_small = all(rule(n) != index for n in range(3, 1001))  # the form says the number in words
        may_omit = COUNT_PLACEHOLDERS if only_small else frozenset()
        checks = placeholder_problems(msgids, text, may_omit) + tag_problems(msgids, text)
        problems += [f"{label}: {check}" for check in checks]
    return problems


def check_catalog(po: Path, lang: str | None = None) -> list[str]:
    """Every problem in one .po, as "<file>: ..." lines; the language defaults to the locale folder's name."""
    lang = lang or po.parent.parent.name
    try:
        catalog = read_strict(po)
    except PoFileError as error:
        return [f"{po}: does not parse: {error}"]
    problems = [f"{po}: {p}" for p in plural_problems(catalog, lang)]
    if catalog.fuzzy:
        problems.append(f"{po}: the header is marked fuzzy (pybabel compile would skip the catalog)")
    if catalog.obsolete:
        problems.append(f"{po}: {len(catalog.obsolete)} obsolete (#~) entries: run make catalogs-update")
    for message in catalog:
        if message.id:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            where = f'{po}: msgid "{msgid}":'
            problems += [f"{where} {problem}" for problem in message_problems(message, catalog, lang)]
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted((ROOT / "locales").glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    problems = [line for po in paths for line in check_catalog(po)]
    print("\n".join(problems) or f"{len(paths)} catalogs OK", file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
