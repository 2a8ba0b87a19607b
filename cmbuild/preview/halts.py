"""What is halted, as the preview shows it: ``state/halt.toml`` read as push reads it.

The preview must never show as publishable what push would refuse. The file is read by the one
reader push uses (`cmbuild.stores.halts`); a file that push would refuse (not TOML, an unknown
key, an entry that names nothing) stops every push, so the preview shows it as a halt of
everything, with the problem as its reason.
"""

from __future__ import annotations

from pathlib import Path

from cmbuild.errors import InputError, InputErrors
from cmbuild.layout import HALT_FILE
from cmbuild.preview.shown import Shown
from cmbuild.stores.halts import Halt, read_halts


def halts_shown(path: Path) -> tuple[Halt, ...]:
    """The halts in force in `path` (the repository's HALT_FILE); none when it does not exist."""
    try:
        return read_halts(path, HALT_FILE)
    except InputErrors as errors:
        problems = "; ".join(str(error) for error in errors)
    except InputError as error:
        problems = str(error)
    return (Halt("all", None, f"push refuses the halt file and stops: {problems}", None),)


def halts_for(variant: Shown, halts: tuple[Halt, ...]) -> tuple[Halt, ...]:
    """The halts that stop `variant`."""
    return tuple(h for h in halts if h.matches(variant))
