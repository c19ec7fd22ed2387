"""What the create/edit forms share: a refused input's problems shown at their fields, in zh and en.

The forms check nothing themselves: the values go through the API's request models (the same
lengths, patterns and ranges) and then the same service functions as the API; every problem
those report (a pydantic error or an `InvalidInput` problem at a path such as `contacts.phone`)
is put back next to its field, with a sentence from the catalogs rather than the English text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from api.ui.context import Ui
from workflows.domain.errors import Problem

# Service messages (workflows and channels services) → a catalog sentence; the groups feed it.
_SERVICE: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), msgid) for pattern, msgid in (
    (r"^1-50 letters", "1 to 50 letters, digits, “_”, “.” or “-”, starting with a letter or digit."),
    (r"^must not be empty$", "This field is required."),
    (r"^must not be null$", "This field is required."),
    (r"^must be one of ", "Choose one of the options."),
    (r"^must be holiday or workday$", "Choose one of the options."),
    (r"^a region code", "A region code: lower-case letters, digits, “_” or “-”."),
    (r"^must be a number greater than 0$", "Enter a number greater than 0."),
    (r"^no active user (?:with id )?(?P<id>\d+)$", "No active user with id %(id)s."),
    (r"^needs a timezone", "Enter a date and a time."),
    (r"^must be between 2000 and 2200$", "The date must be between 2000 and 2200."),
    (r"^unknown time zone", "Unknown time zone."),
    (r"^must be 5 to 1440$", "Between 5 and 1440 minutes."),
    (r"^must be 0 to 30$", "Between 0 and 30 days."),
    (r"^unknown group '(?P<group>.*)'$", "Unknown group: %(group)s."),
    (r"^a meeting needs attendees", "A meeting needs attendees: people, groups or both."),
    (r"^gives no date in ten years$", "This repetition gives no date in the next ten years."),
    (r"^(?:FREQ|COUNT|not a valid RRULE|give only)", "This repetition is not valid."),
    (r"^must be at most (?P<max>\d+) characters$", "At most %(max)s characters."),
    (r"^cannot be changed", "This field cannot be changed here."),
))

# Pydantic error types → a catalog sentence (with the error's context values).
_PYDANTIC: dict[str, str] = {
    "missing": "This field is required.",
    "string_too_short": "This field is required.",
    "string_too_long": "At most %(max_length)s characters.",
    "too_long": "At most %(max_length)s entries.",
    "literal_error": "Choose one of the options.",
    "enum": "Choose one of the options.",
    "int_parsing": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "float_parsing": "Enter a number.",
    "finite_number": "Enter a number.",
    "greater_than": "Enter a number greater than %(gt)s.",
    "greater_than_equal": "Enter a number of at least %(ge)s.",
    "less_than": "Enter a number less than %(lt)s.",
    "less_than_equal": "Enter a number of at most %(le)s.",
    "date_parsing": "Enter a date (YYYY-MM-DD).",
    "date_from_datetime_parsing": "Enter a date (YYYY-MM-DD).",
    "url_parsing": "Enter a web address starting with http:// or https://.",
    "url_scheme": "Enter a web address starting with http:// or https://.",
    "url_too_long": "At most %(max_length)s characters.",
}
_PATTERNS: dict[str, str] = {  # a pattern mismatch says what the field expects
    "code": "1 to 50 letters, digits, “_”, “.” or “-”, starting with a letter or digit.",
    "region": "A region code: lower-case letters, digits, “_” or “-”.",
}
INVALID = "This value is not valid."
M = TypeVar("M", bound=BaseModel)


@dataclass
class FieldErrors:
    """Messages by form field; `aliases` maps a service path's first part to the field showing it."""

    ui: Ui
    aliases: Mapping[str, str] = field(default_factory=dict)
    by_field: dict[str, list[str]] = field(default_factory=dict)

    def field_of(self, path: str) -> str:
        head = re.split(r"[.\[]", path, maxsplit=1)[0] if path else ""
        return self.aliases.get(head, head) or "form"

    def add(self, path: str, message: str) -> None:
        name = self.field_of(path)
        if message not in self.by_field.setdefault(name, []):
            self.by_field[name].append(message)

    def service(self, problems: Iterable[Problem]) -> FieldErrors:
        """The problems of an `InvalidInput`, translated."""
        for problem in problems:
            self.add(problem.path, self._service_text(problem.message))
        return self

    def pydantic(self, error: ValidationError) -> FieldErrors:
        """The errors of a request model, translated."""
        for item in error.errors():
            path = ".".join(str(part) for part in item["loc"])
            if self.field_of(path) in self.by_field:  # the form could not read it: that was said already
                continue
            kind = item["type"]
            head = str(item["loc"][0]) if item["loc"] else ""
            ctx = {key: _shown(value) for key, value in (item.get("ctx") or {}).items()
                   if isinstance(value, (int, float, str))}
            if kind == "string_pattern_mismatch":
                self.add(path, self.ui.gettext(_PATTERNS.get(head, INVALID)))
            elif kind in _PYDANTIC:
                msgid = _PYDANTIC[kind]
                needed = re.findall(r"%\((\w+)\)s", msgid)
                self.add(path, self.ui.gettext(msgid, **{k: ctx[k] for k in needed}) if all(k in ctx for k in needed)
                         else self.ui.gettext(INVALID))
            else:
                self.add(path, self.ui.gettext(INVALID))
        return self

    def _service_text(self, message: str) -> str:
        for pattern, msgid in _SERVICE:
            found = pattern.match(message)
            if found:
                return self.ui.gettext(msgid, **found.groupdict())
        return self.ui.gettext(INVALID)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def _shown(value: float | str) -> float | str:
    """A limit as people write it: 0 rather than 0.0, 1e12 as 1,000,000,000,000."""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int) else value


def validated(model: type[M], data: Mapping[str, Any], errors: FieldErrors) -> M | None:
    """`data` read by the API's request `model`, or None with its errors added to `errors`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.pydantic(exc)
        return None


def lines_to_mapping(text: str, errors: FieldErrors, name: str, message: Callable[[], str]) -> dict[str, str]:
    """`key: value` lines (contacts) as a mapping; a line without a colon is an error at `name`."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            key, colon, value = line.partition("：")  # a full-width colon typed on a Chinese keyboard
        if not colon or not key.strip():
            errors.add(name, message())
            continue
        found[key.strip()] = value.strip()
    return found
