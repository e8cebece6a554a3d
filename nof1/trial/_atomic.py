"""Atomic writes: a trial folder appears complete or not at all; files are never half-written.

A folder is written into a temporary sibling (``.<name>.tmp-<random>``) and
renamed into place; a single file is written to a temporary sibling and moved
with :func:`os.replace`. On any failure the temporary is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

from ..exceptions import TrialExistsError, TrialFileError

__all__ = ["write_file_atomic", "write_tree_atomic"]


def _is_nonempty_or_file(path: Path) -> bool:
    if not path.exists():
        return False
    return not path.is_dir() or any(path.iterdir())


def write_file_atomic(path: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file and :func:`os.replace`.

    Raises
    ------
    TrialExistsError
        If ``path`` exists and ``overwrite`` is False.
    TrialFileError
        If the folder does not exist.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise TrialFileError(f"folder {path.parent} does not exist")
    if path.exists() and not overwrite:
        raise TrialExistsError(f"{path} already exists; it will not be overwritten")
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def write_tree_atomic(target: str | Path, files: Mapping[str, bytes]) -> Path:
    """Create folder ``target`` holding ``files`` (relative path -> bytes), atomically.

    ``target`` must not exist, or be an empty folder (which is replaced). Its
    parent folder must exist.

    Raises
    ------
    TrialExistsError
        If ``target`` is a file or a non-empty folder (its contents are left untouched).
    TrialFileError
        If the parent folder does not exist.
    """
    target = Path(target)
    parent = target.parent
    if not parent.is_dir():
        raise TrialFileError(f"folder {parent} does not exist; create it first")
    if _is_nonempty_or_file(target):
        raise TrialExistsError(f"{target} already exists and is not empty; "
                               f"choose a new folder (an existing trial is never overwritten)")
    tmp = parent / f".{target.name}.tmp-{secrets.token_hex(4)}"
    try:
        tmp.mkdir()
        for rel, data in files.items():
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(dest, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if target.is_dir() and os.name == "nt":  # Windows cannot rename onto a folder
            target.rmdir()
        try:
            os.rename(tmp, target)  # POSIX: replaces an empty folder, fails on a non-empty one
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) or target.exists():
                raise TrialExistsError(f"{target} appeared while writing; nothing was "
                                       f"changed in it") from None
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
