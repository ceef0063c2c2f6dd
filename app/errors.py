"""Errors every front (CLI, GUI) turns into one clear message. No Qt."""

from __future__ import annotations


class Message(str):
    """A message in English that keeps its template and fields, so that a front can show it
    in the user's language (the desktop app looks the template up in its translations and
    fills in the same fields)::

        raise NotFound(Message("deal {deal} not found", deal=deal_id))

    It *is* the English text (a ``str``), so logs, the CLI and tests read it unchanged. A
    field may itself be a Message (translated too). Templates use ``str.format`` fields by
    name only, so a translation can put them in another order."""

    template: str
    fields: dict

    def __new__(cls, template: str, /, **fields):
        self = super().__new__(cls, template.format(**fields) if fields else template)
        self.template = template
        self.fields = fields
        return self

    def __reduce__(self):  # pickles (a worker's error crossing a process) keep the template
        return (_message, (self.template, self.fields))


def _message(template: str, fields: dict) -> Message:
    return Message(template, **fields)


class Localized(str):
    """A name the data holds in several languages (a stage, a deliverable of the process
    template), for a Message field: the English name as the str, the others by language
    code, so that a front shows the name in its interface language::

        Message("stage {stage}", stage=Localized(st.name_en, ko=st.name_ko))
    """

    names: dict

    def __new__(cls, en: str, /, **others: str):
        self = super().__new__(cls, en)
        self.names = {"en": en, **{k: v for k, v in others.items() if v}}
        return self

    def __reduce__(self):
        return (_localized, (str(self), self.names))

    def in_language(self, lang: str | None) -> str:
        return self.names.get(lang or "en", str(self))


def _localized(en: str, names: dict) -> Localized:
    return Localized(en, **{k: v for k, v in names.items() if k != "en"})


def to_json(message: str):
    """``message`` as JSON-able data that :func:`from_json` turns back into the same Message
    (template, fields, Localized names), for a message stored to be shown later (a sync
    conflict's reason). A plain str stays a str; a field that is neither text nor a number
    is kept as its text."""
    if isinstance(message, Message):
        return {"template": message.template, "fields": {k: _field_json(v) for k, v in message.fields.items()},
                "text": str(message)}
    return str(message)


def _field_json(v):
    if isinstance(v, Message):
        return to_json(v)
    if isinstance(v, Localized):
        return {"names": v.names}
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return str(v)


def from_json(data) -> str:
    """The Message (or plain text) :func:`to_json` stored; anything else as its text."""
    if isinstance(data, dict) and isinstance(data.get("template"), str):
        fields = {}
        for k, v in (data.get("fields") or {}).items():
            if isinstance(v, dict) and isinstance(v.get("names"), dict):
                names = v["names"]
                v = Localized(str(names.get("en", "")), **{c: str(n) for c, n in names.items() if c != "en"})
            elif isinstance(v, dict):
                v = from_json(v)
            fields[k] = v
        try:
            return Message(data["template"], **fields)
        except (KeyError, IndexError, ValueError):  # a damaged row: its English text, never braces
            return str(data.get("text") or data["template"])
    return "" if data is None else str(data)


def listed(parts: list[str]) -> str:
    """``parts`` (Messages or plain text) as one message separated by "; ", each part still
    translated by a front: a list cannot be one template, so it is a chain of
    ``"{first}; {rest}"`` messages."""
    if not parts:
        return ""
    out = parts[-1]
    for part in reversed(parts[:-1]):
        out = Message("{first}; {rest}", first=part, rest=out)
    return out


def render(message: str, translate=None, language: str | None = None) -> str:
    """``message`` with its template passed through ``translate`` (template -> template in
    another language; None keeps English) and its fields filled in: Message fields rendered
    the same way, Localized fields in ``language``. A plain str is looked up as a whole."""
    if translate is None:
        return str(message)
    if not isinstance(message, Message):
        return translate(str(message))
    fields = {k: render(v, translate, language) if isinstance(v, Message)
              else v.in_language(language) if isinstance(v, Localized) else v
              for k, v in message.fields.items()}
    try:
        return translate(message.template).format(**fields)
    except (KeyError, IndexError, ValueError):  # a broken translation: English, never a crash
        return str(message)


class AppError(Exception):
    """An error a user can understand and act on; its str() is the whole message. Give it a
    :class:`Message` to have it shown in the user's language."""

    exit_code = 1

    @property
    def message(self) -> str:
        """The message as given (a :class:`Message` when the raiser gave one)."""
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


class DatabaseError(AppError):
    """The database file is missing, damaged, locked or newer than this program."""


class ValidationError(AppError):
    """Bad values for an entity. ``errors`` maps each field name to its message (a
    :class:`Message` to have it translated); str() is every ``field: message`` in English."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))

    @property
    def message(self) -> str:
        """The field messages as one translatable message ("; " between them), without the
        field names, which are the program's keys (a front that knows the fields labels
        them itself: views.operations.validation_text)."""
        return listed(list(self.errors.values()))


class NotFound(AppError):
    pass


class ConflictError(AppError):
    """Someone else changed the record since it was read (stale ``version``)."""

    def __init__(self, message: str, current_version: int | None = None):
        self.current_version = current_version
        super().__init__(message)


class PermissionDenied(AppError):
    pass


class ReplicaRefused(AppError):
    """A write refused on an offline replica because it is not a named operation: made
    there, it would stay on that computer and never reach the team server. The message
    says what to do instead (on the server, then sync)."""
