"""Collects every identifier that the rendered store exposes, with its true owner and whether the data holds a bridge
to the owner's other identifiers (the truth's ``identity.parquet``).

Renderers call ``seen`` for each identifier they write and ``link`` for identifiers that appear together in one
record (or are joined by an order id / tracked link). Shared placeholders are never linkable.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from .people import PLACEHOLDER_EMAIL

NEVER_LINKABLE = {("email", PLACEHOLDER_EMAIL)}


class IdentityCollector:
    def __init__(self) -> None:
        self.owners: dict[tuple[str, str], dict[str, bool]] = defaultdict(dict)

    def seen(self, kind: str, identifier: str | None, owner: str) -> None:
        if identifier is None or identifier == "":
            return
        self.owners[(kind, identifier)].setdefault(owner, False)

    def link(self, owner: str, *identifiers: tuple[str, str | None]) -> None:
        """Identifiers of ``owner`` that appear together: each becomes linkable (if at least two are present)."""
        present = [(k, i) for k, i in identifiers if i]
        for key in present:
            self.owners[key].setdefault(owner, False)
        usable = [key for key in present if key not in NEVER_LINKABLE]
        if len(usable) >= 2:
            for key in usable:
                self.owners[key][owner] = True

    def frame(self, bot_prefix: str = "BOT") -> pd.DataFrame:
        rows = []
        for (kind, ident), owners in self.owners.items():
            shared = len(owners) > 1 or (kind, ident) in NEVER_LINKABLE
            for owner, linked in owners.items():
                rows.append((kind, ident, owner, shared, linked and (kind, ident) not in NEVER_LINKABLE,
                             owner.startswith(bot_prefix)))
        df = pd.DataFrame(rows, columns=["identifier_type", "identifier", "true_person_id", "is_shared", "is_linkable",
                                         "is_bot"])
        return df.sort_values(["identifier_type", "identifier", "true_person_id"], kind="stable").reset_index(drop=True)


def person_label(index) -> str:
    return f"P{int(index):07d}"


def person_labels(indices) -> np.ndarray:
    return np.char.add("P", np.char.zfill(np.asarray(indices).astype(str), 7))
