"""The process template: ordered stages with win probabilities and exit deliverables.

The template is data (``resources/process/default.json``) loaded into each new database;
stages and deliverables carry English and Korean names.
"""

from __future__ import annotations

import json
import uuid
from enum import StrEnum
from importlib import resources

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Keyed


class DeliverableKind(StrEnum):
    CHECK = "check"  # a confirmation with who/when and an optional (or required) note
    DOCUMENT = "document"  # a file or link kept as evidence
    FIELD = "field"  # satisfied when named deal fields are filled
    ACTIVITY = "activity"  # satisfied when an activity of a given type was done in the stage


class Named:
    """Text of a template item in the interface language (English and Korean names)."""

    def name(self, lang: str = "en") -> str:
        return self.name_ko if lang == "ko" else self.name_en


class DeliverableText(Named):
    """A deliverable's name and its comma-separated lists, for the ORM row and its cached copy."""

    @property
    def field_list(self) -> list[str]:
        return [f for f in (self.fields or "").split(",") if f]

    @property
    def activity_type_list(self) -> list[str]:
        return [t for t in (self.activity_types or "").split(",") if t]


class ProcessTemplate(Keyed, Base):
    __tablename__ = "process_template"
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    name_en: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    stages: Mapped[list[Stage]] = relationship(
        back_populates="template", order_by="Stage.position", cascade="all, delete-orphan"
    )
    __table_args__ = (UniqueConstraint("key", "version"),)


class Stage(Named, Keyed, Base):
    __tablename__ = "stage"
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("process_template.id"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str] = mapped_column(String(200))
    probability: Mapped[int]  # default win probability, percent
    dwell_limit_days: Mapped[int]
    template: Mapped[ProcessTemplate] = relationship(back_populates="stages")
    deliverables: Mapped[list[Deliverable]] = relationship(
        back_populates="stage", order_by="Deliverable.position", cascade="all, delete-orphan"
    )
    __table_args__ = (UniqueConstraint("template_id", "position"),)


class Deliverable(DeliverableText, Keyed, Base):
    __tablename__ = "deliverable"
    stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stage.id"))
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    name_en: Mapped[str] = mapped_column(String(300))
    name_ko: Mapped[str] = mapped_column(String(300))
    fields: Mapped[str | None] = mapped_column(String(200))  # comma-separated deal attributes
    activity_types: Mapped[str | None] = mapped_column(String(100))  # comma-separated
    requires_note: Mapped[bool] = mapped_column(default=False)
    required: Mapped[bool] = mapped_column(default=True)
    stage: Mapped[Stage] = relationship(back_populates="deliverables")
    __table_args__ = (UniqueConstraint("stage_id", "key"),)


def default_template_data() -> dict:
    """The shipped default process, read through importlib.resources."""
    text = resources.files("resources.process").joinpath("default.json").read_text("utf-8")
    return json.loads(text)


def build_template(data: dict) -> ProcessTemplate:
    """Turn template data into unsaved ORM objects."""
    template = ProcessTemplate(
        key=data["key"], version=data["version"],
        name_en=data["name"]["en"], name_ko=data["name"]["ko"], active=True,
    )
    for pos, st in enumerate(data["stages"], start=1):
        stage = Stage(
            position=pos, key=st["key"], name_en=st["name"]["en"], name_ko=st["name"]["ko"],
            probability=st["probability"], dwell_limit_days=st["dwell_limit_days"],
        )
        for dpos, dl in enumerate(st["deliverables"], start=1):
            kind = DeliverableKind(dl["kind"])
            stage.deliverables.append(Deliverable(
                position=dpos, key=dl["key"], kind=kind.value,
                name_en=dl["name"]["en"], name_ko=dl["name"]["ko"],
                fields=",".join(dl.get("fields", [])) or None,
                activity_types=",".join(dl.get("activity_types", [])) or None,
                requires_note=dl.get("requires_note", False), required=dl.get("required", True),
            ))
        template.stages.append(stage)
    return template
