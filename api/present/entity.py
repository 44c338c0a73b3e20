"""An entity wherever a response names one: its name, its type, a reference (id, name, type).

The knowledge base is asked through ``api.query.entities`` only; an id it does not know (an
entity since removed from it) is still shown, without a name or type.
"""

from __future__ import annotations

from api.models import EntityRef
from api.query import entities


def entity_name(entity_id: str) -> str | None:
    info = entities.describe(entity_id)
    return info.name if info else None


def entity_type(entity_id: str) -> str | None:
    info = entities.describe(entity_id)
    return info.type if info else None


def entity_ref(entity_id: str) -> EntityRef:
    info = entities.describe(entity_id)
    return EntityRef(id=entity_id, name=info.name if info else None, type=info.type if info else None)
