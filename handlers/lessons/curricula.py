"""Coordinators: import a curriculum by sending its YAML file, /curricula. Problems are answered in their language."""

from __future__ import annotations

import logging

from telegram import Document, Update
from telegram.ext import filters

from bot.i18n import N_, _, current_locale, ngettext
from bot.services.access import Audience
from bot.services.errors import DomainError
from bot.services.lessons import SUFFIXES, CurriculumDTO, ImportResult, ImportStatus
from bot.services.lessons.curriculum import MAX_FILE_BYTES, CurriculumError, Problem
from bot.text import Safe, cmd, fmt, local_datetime, ltr, name
from handlers.core.common import anything_else
from handlers.core.context import BotContext
from handlers.core.registry import Command, Typed
from handlers.core.ui import reply
from handlers.problems import problem_text

log = logging.getLogger(__name__)

PROBLEMS_SHOWN = 15
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
MAX_SIZE = f"{MAX_FILE_BYTES // 1_000_000} MB"


def lessons_text(count: int) -> Safe:
    return Safe(ngettext("{count} lesson", "{count} lessons", count).format(count=ltr(count)))


def curriculum_label(item: CurriculumDTO) -> str:
    """A button label (plain text, not HTML): the title in the reader's language and the lesson count."""
    count = item.lesson_count
    return ngettext("{title} ({count} lesson)", "{title} ({count} lessons)", count).format(
        title=item.title(current_locale()), count=count
    )


def is_yaml(document: Document) -> bool:
    return (document.file_name or "").lower().endswith(SUFFIXES) or document.mime_type in YAML_TYPES


def problem_sentence(problem: Problem) -> str:
    """What is wrong, translated from the problem's code and numbers (the English message is the fallback)."""
    # Long: one case per problem code of the validator, a flat table that reads best whole.
    limit, actual = problem.limit, problem.actual
    match problem.code:
        case "yaml_syntax" if problem.line is not None:
            return fmt(
                _(
                    "this is not valid YAML at line {line}, column {column}: indent with spaces, not tabs, "
                    "and put a text that contains a colon in quotes"
                ),
                line=problem.line,
                column=problem.column or 1,
            )
        case "yaml_syntax":
            return _("this is not valid YAML")
        case "too_large" if actual is not None:
            return fmt(_("the file is too large: a curriculum may be at most {size}"), size=ltr(MAX_SIZE))
        case "too_large":
            return _("the file has too many values (too many YAML aliases?)")
        case "too_deep":
            return _("lists or mappings are nested too deeply")
        case "bad_encoding":
            return _("the file is not UTF-8 text: save it as UTF-8")
        case "unreadable":
            return _("the file cannot be read")
        case "bad_type":
            return _("the wrong kind of value: a text that is only a number, or yes or no, needs quotes")
        case "missing":
            return _("required, but missing")
        case "empty":
            return _("must not be empty")
        case "unknown_field":
            return _("unknown field: check its spelling and its indentation")
        case "too_long" if limit is not None and actual is not None:
            return Safe(
                ngettext(
                    "too long: {actual} character, the limit is {limit}",
                    "too long: {actual} characters, the limit is {limit}",
                    actual,
                ).format(actual=ltr(actual), limit=ltr(limit))
            )
        case "too_many_line_feeds" if limit is not None and actual is not None:
            return Safe(
                ngettext(
                    "{actual} line break, the limit is {limit}", "{actual} line breaks, the limit is {limit}", actual
                ).format(actual=ltr(actual), limit=ltr(limit))
            )
        case "too_few" if limit is not None and actual is not None:
            return fmt(_("too few: {actual} given, the minimum is {limit}"), actual=actual, limit=limit)
        case "too_many" if problem.field.endswith("correct") and limit == 1:
            return fmt(_("more than one correct option: add {multiple} to allow that"), multiple=ltr("multiple: true"))
        case "too_many" if limit is not None and actual is not None:
            return fmt(_("too many: {actual} given, the limit is {limit}"), actual=actual, limit=limit)
        case "too_small" if limit is not None:
            return fmt(_("too small: the minimum is {limit}"), limit=limit)
        case "bad_id":
            return _("use 1 to 40 lowercase Latin letters, digits or hyphens")
        case "duplicate_id":
            return _("this id is already used: each lesson needs its own id")
        case "bad_index" if limit is not None and actual is not None:
            return fmt(
                _("option {index} does not exist: the options are numbered from 0 to {last}"), index=actual, last=limit
            )
        case "duplicate_index":
            return _("an option number is listed twice")
        case "bad_html":
            return fmt(_("the formatting tags are wrong: {details}"), details=ltr(problem.message))
        case "bad_url":
            return _("must be a full web address that starts with https://")
        case "bad_image":
            return _("the image must be an https:// address, or a .jpg, .jpeg, .png or .webp file")
        case "not_found":
            return _("the bot has no such image file: use an https:// address")
    return fmt(_("not accepted: {details}"), details=ltr(problem.message))


def problem_line(problem: Problem) -> str:
    """ "• Lesson 3 (passwords), questions[2].options[1].ar: too long…" with the id and path kept left-to-right."""
    where: list[str] = []
    if (number := problem.lesson_number) is not None:
        where.append(
            fmt(_("Lesson {number} ({lesson})"), number=number, lesson=ltr(problem.lesson))
            if problem.lesson
            else fmt(_("Lesson {number}"), number=number)
        )
    if problem.field:
        where.append(ltr(problem.field))
    sentence = problem_sentence(problem)
    if not where:
        return fmt("• {sentence}", sentence=sentence)
    separator = "، " if current_locale() == "ar" else ", "
    return fmt("• {where}: {sentence}", where=Safe(separator.join(where)), sentence=sentence)


def problems_text(file_name: str, problems: list[Problem]) -> str:
    count = len(problems)
    lines = [
        ngettext(
            "{file} was not imported. Fix this problem and send the file again:",
            "{file} was not imported. Fix these {count} problems and send the file again:",
            count,
        ).format(file=name(file_name), count=ltr(count))
    ]
    lines += [problem_line(problem) for problem in problems[:PROBLEMS_SHOWN]]
    if (rest := count - PROBLEMS_SHOWN) > 0:
        lines.append(
            ngettext("…and {count} more problem.", "…and {count} more problems.", rest).format(count=ltr(rest))
        )
    return "\n".join(lines)


def import_text(result: ImportResult) -> str:
    item = result.curriculum
    title, lessons = name(item.title(current_locale())), lessons_text(item.lesson_count)
    if result.status is ImportStatus.UNCHANGED:
        return fmt(
            _("This curriculum is already imported, unchanged: {title}, {lessons}."), title=title, lessons=lessons
        )
    if result.status is ImportStatus.UPDATED:
        return "\n".join(
            [
                fmt(
                    _("Curriculum updated: {title}, {lessons}, version {old} → {new}."),
                    title=title,
                    lessons=lessons,
                    old=result.previous_version or 1,
                    new=item.version,
                ),
                _("Cohorts that follow it get the new lessons; the progress already recorded is kept."),
            ]
        )
    return "\n".join(
        [
            fmt(_("Curriculum imported: {title}, {lessons}."), title=title, lessons=lessons),
            fmt(_("Choose it when you create a cohort with {command}."), command=cmd("/newcohort")),
        ]
    )


async def document_sent(update: Update, context: BotContext) -> None:
    """A document in a private chat: a coordinator's YAML file is validated and imported; nothing else is."""
    message = update.message
    assert message is not None and message.document is not None
    document = message.document
    if not context.principal.is_coordinator:
        if is_yaml(document):
            await reply(update, _("Sorry, only coordinators can import a curriculum."))
        else:
            await anything_else(update, context)
        return
    if not is_yaml(document):
        await reply(
            update,
            fmt(
                _("To import a curriculum, send it as a file whose name ends in {yaml} or {yml}."),
                yaml=ltr(".yaml"),
                yml=ltr(".yml"),
            ),
        )
        return
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:  # checked before downloading
        await reply(update, fmt(_("This file is too large: a curriculum may be at most {size}."), size=ltr(MAX_SIZE)))
        return
    content = bytes(await (await document.get_file()).download_as_bytearray())
    file_name = document.file_name or "curriculum.yaml"
    curricula = context.services.curricula
    try:
        # Local images must be in the bot's curriculum folder: a chat upload has no folder of its own.
        result = await curricula.import_document(
            context.principal, content, f"chat:{file_name}", image_dir=context.services.settings.curriculum_dir
        )
    except CurriculumError as error:
        await reply(update, problems_text(file_name, error.problems))
        return
    except DomainError as error:  # the role was revoked meanwhile
        await reply(update, problem_text(error))
        return
    found = result.curriculum
    log.info("curriculum %s v%d from a chat upload: %s", found.slug, found.version, result.status.value)
    await reply(update, import_text(result))


async def list_curricula(update: Update, context: BotContext) -> None:
    items = await context.services.curricula.all()
    if not items:
        await reply(update, _("No curriculum is imported yet. Send a curriculum's .yaml file here to import it."))
        return
    zone = context.services.settings.bot_timezone
    lines = [_("<b>Curricula</b>")]
    for item in items:
        lines.append(
            fmt(
                _("• {title} ({id}): {lessons}, version {version}, imported {when}"),
                title=name(item.title(current_locale())),
                id=ltr(item.slug),
                lessons=lessons_text(item.lesson_count),
                version=item.version,
                when=local_datetime(item.imported_at, zone),
            )
        )
    lines.append(_("To import a curriculum or update one, send its .yaml file here."))
    await reply(update, "\n".join(lines))


CURRICULA = Command(
    ("curricula",),
    Audience.COORDINATOR,
    list_curricula,
    menu=N_("Imported curricula; send a .yaml file to import one"),
)
# Open to anyone: a trainee's photo or file gets "I didn't understand"; only a coordinator's YAML is imported.
DOCUMENT = Typed("document", Audience.ANYONE, document_sent, filters.Document.ALL)
