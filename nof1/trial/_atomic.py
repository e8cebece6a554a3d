"""Atomic writes: a trial folder appears complete or not at all; files are never half-written.

A folder is written into a temporary sibling (``.<name>.tmp-<random>``) and
renamed into place; a single file is written to a temporary sibling and then
published:

- without ``overwrite``, by a hard link to the final name, which the operating
  system creates only if no file of that name exists (``link(2)`` fails with
  ``EEXIST``): of two processes racing to write the same file exactly one wins,
  and no check-then-replace window exists; where hard links are not supported,
  an exclusive create (``O_EXCL``) of the final name reserves it first;
- with ``overwrite``, by :func:`os.replace` (atomic on POSIX and Windows).

Temporaries live in :func:`temporary_sibling`, which removes them on any exit,
including ``KeyboardInterrupt`` and the exception the command line raises on
SIGTERM; no temporary folder holding a key is left behind. Error messages name
the file asked for, never the hidden temporary.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

from ..exceptions import TrialExistsError, TrialFileError

__all__ = ["write_file_atomic", "write_tree_atomic", "temporary_sibling"]

#: errno values meaning "this file system cannot make hard links"
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP,
             getattr(errno, "ENOSYS", errno.EPERM)}


def _is_nonempty_or_file(path: Path) -> bool:
    if not path.exists():
        return False
    return not path.is_dir() or any(path.iterdir())


@contextlib.contextmanager
def temporary_sibling(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A hidden, not yet existing sibling name of ``path``, removed on leaving the block.

    Whatever the block leaves at that name (a file or a folder) is deleted when the
    block ends, normally or by any exception (``KeyboardInterrupt`` included), so
    after a successful rename nothing is left and after a failure no temporary is.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with temporary_sibling(pathlib.Path(tmp) / "key.json") as t:
    ...         _ = t.write_text("secret")
    ...     sorted(p.name for p in pathlib.Path(tmp).iterdir())
    []
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")
    try:
        yield tmp
    finally:
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _write_bytes(tmp: Path, data: bytes) -> None:
    with open(tmp, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _cannot_write(path: Path, exc: OSError) -> TrialFileError:
    reason = exc.strerror or type(exc).__name__
    error = TrialFileError(f"cannot write {path}: {reason}")
    error.errno = exc.errno
    return error


def _exists(path: Path) -> TrialExistsError:
    return TrialExistsError(f"{path} already exists; it will not be overwritten")


def _publish_new(tmp: Path, path: Path) -> None:
    """Give the written ``tmp`` the name ``path`` only if no file has that name."""
    try:
        os.link(tmp, path)
        return
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS and not isinstance(exc, (NotImplementedError,)):
            raise
    try:  # no hard links here: reserve the name exclusively, then replace it
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        raise _exists(path) from None
    os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def write_file_atomic(path: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` completely or not at all.

    Parameters
    ----------
    path : str or Path
        The file to write; its folder must exist.
    data : bytes
        The whole content.
    overwrite : bool
        Replace an existing file (atomically). Without it an existing file is
        never touched, also when another process creates it while this one writes.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TrialExistsError
        If ``path`` exists and ``overwrite`` is False.
    TrialFileError
        If the folder does not exist or the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_file_atomic(pathlib.Path(tmp) / "a.txt", b"one")
    ...     try:
    ...         write_file_atomic(p, b"two")
    ...     except TrialExistsError:
    ...         print("kept:", p.read_text())
    kept: one
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise TrialFileError(f"folder {path.parent} does not exist")
    if path.exists() and not overwrite:
        raise _exists(path)
    with temporary_sibling(path) as tmp:
        try:
            _write_bytes(tmp, data)
            if overwrite:
                os.replace(tmp, path)
            else:
                _publish_new(tmp, path)
        except (TrialExistsError, TrialFileError):
            raise
        except OSError as exc:
            raise _cannot_write(path, exc) from None
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
        If the parent folder does not exist, or the folder cannot be written.
    """
    target = Path(target)
    parent = target.parent
    if not parent.is_dir():
        raise TrialFileError(f"folder {parent} does not exist; create it first")
    if _is_nonempty_or_file(target):
        raise TrialExistsError(f"{target} already exists and is not empty; "
                               f"choose a new folder (an existing trial is never overwritten)")
    with temporary_sibling(target) as tmp:
        try:
            tmp.mkdir()
            for rel, data in files.items():
                dest = tmp / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                _write_bytes(dest, data)
            if target.is_dir() and os.name == "nt":  # Windows cannot rename onto a folder
                target.rmdir()
            os.rename(tmp, target)  # POSIX: replaces an empty folder, fails on a non-empty one
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) or _is_nonempty_or_file(target):
                raise TrialExistsError(f"{target} appeared while writing; nothing was "
                                       f"changed in it") from None
            raise _cannot_write(target, exc) from None
    return target
