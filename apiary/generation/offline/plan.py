"""The app being generated, before it is written out as a definition.

A blueprint is read into a :class:`Plan`, the prompt's own words are applied to it, and
:mod:`.render` writes the document. Keeping the roles' *kinds* (who owns, reviews, runs or
only watches the records) lets permissions, field access and views be derived from one place,
so every generated app is least-privilege the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

RoleKind = Literal["owner", "reviewer", "staff", "viewer"]
EntityKind = Literal["main", "child", "reference"]


@dataclass
class RolePlan:
    kind: RoleKind
    description: str = ""


@dataclass
class TransitionPlan:
    sources: list[str]
    target: str
    roles: list[str]


@dataclass
class EntityPlan:
    kind: EntityKind
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    label: str = ""
    description: str = ""
    display: str = ""
    parent: str = ""
    review_by: str = ""
    """A ``ref`` to User naming the reviewer a record is addressed to (``approver``)."""
    states: list[str] = field(default_factory=list)
    finals: set[str] = field(default_factory=set)
    transitions: dict[str, TransitionPlan] = field(default_factory=dict)
    requires: dict[str, list[str]] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    owned_by: str = "created_by"
    """The field naming the person a record belongs to; owners see the records it names."""
    validations: list[dict[str, Any]] = field(default_factory=list)
    from_prompt: bool = False
    """Made from the prompt's words, not a blueprint's: it gets its links from the prompt."""
    composed: bool = False
    """Added from a second blueprint: it does not lead the app unless nothing else can."""
    adopted: bool = False
    """A blueprint's record the prompt never names, renamed to the prompt's record ("tyre
    changes" in a fleet blueprint's Trip): when the prompt lists its fields, they win."""
    renamed: bool = False
    """A blueprint's record under the prompt's name: the blueprint was chosen for a record
    like it, not for this one."""
    placeholders: set[str] = field(default_factory=set)
    """Fields given for the kind of thing it is (a record's name, an event's date), which the
    prompt's own fields may make redundant."""


@dataclass
class Plan:
    name: str
    title: str
    description: str = ""
    currency: str = ""
    roles: dict[str, RolePlan] = field(default_factory=dict)
    entities: dict[str, EntityPlan] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str = ""
    """The blueprint the plan started from; empty when built from the prompt alone."""
    delete_for_all: bool = False
    deleters: set[str] = field(default_factory=set)
    """Roles the prompt explicitly allowed to delete (the records they can read)."""

    def roles_of(self, *kinds: RoleKind) -> list[str]:
        return [name for name, role in self.roles.items() if role.kind in kinds]
