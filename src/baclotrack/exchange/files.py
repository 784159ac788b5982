"""Writing output all or nothing: a file, or a set of files in a directory.

Every command and export that writes files goes through here, so that a failure (bad
input found late, a full disk, an interrupt) never leaves a half-written or truncated file:
the content goes to a temporary file beside the target and replaces it only when complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


def write_bytes_atomically(content: bytes | str, path: Path) -> None:
    """Write ``content`` to ``path`` through a temporary file beside it, replaced only when complete.

    The folder must exist (a missing one raises FileNotFoundError naming it): a typo in an
    output path should not silently create directories.
    """
    write_files_atomically({path.name: content}, path.parent, create_folder=False)


def write_files_atomically(
    files: Mapping[str, bytes | str], folder: Path, *, create_folder: bool = True
) -> None:
    """Write every file into ``folder`` (created if needed unless ``create_folder`` is false): all
    are written to temporary files first and renamed into place only when every one is complete,
    so a failure leaves no half file."""
    if create_folder:
        folder.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    temporaries: dict[str, str] = {}
    try:
        for name, content in files.items():
            handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            temporaries[name] = temporary
            with os.fdopen(handle, "wb") as out:
                out.write(content.encode("utf-8") if isinstance(content, str) else content)
            # mkstemp makes the file private (0600); give the output the usual permissions.
            os.chmod(temporary, 0o666 & ~umask)
        for name, temporary in temporaries.items():
            os.replace(temporary, folder / name)
    except BaseException:
        for temporary in temporaries.values():
            Path(temporary).unlink(missing_ok=True)
        raise


def write_csv_atomically(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as CSV (nulls as blank cells), all or nothing."""
    write_bytes_atomically(frame.write_csv(), path)
