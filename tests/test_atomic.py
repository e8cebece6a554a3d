"""Atomic file writes: never overwritten without ``overwrite``, never half-written."""

from __future__ import annotations

import errno

import pytest

import nof1.trial._atomic as atomic
from nof1.exceptions import TrialExistsError, TrialFileError
from nof1.trial._atomic import temporary_sibling, write_file_atomic


def test_new_file_existing_file_and_overwrite(tmp_path):
    path = write_file_atomic(tmp_path / "r.html", b"first")
    with pytest.raises(TrialExistsError, match="will not be overwritten"):
        write_file_atomic(path, b"second")
    assert path.read_bytes() == b"first"
    write_file_atomic(path, b"third", overwrite=True)
    assert path.read_bytes() == b"third"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_a_file_created_between_the_check_and_the_publish_is_kept(tmp_path, monkeypatch):
    """The race a check-then-replace loses: another writer creates the file meanwhile."""
    path = tmp_path / "groups.json"
    real = atomic._write_bytes

    def write_and_be_overtaken(tmp, data):
        real(tmp, data)
        path.write_bytes(b"the other writer's")

    monkeypatch.setattr(atomic, "_write_bytes", write_and_be_overtaken)
    with pytest.raises(TrialExistsError):
        write_file_atomic(path, b"mine")
    assert path.read_bytes() == b"the other writer's"
    assert [p.name for p in tmp_path.iterdir()] == ["groups.json"]


@pytest.mark.parametrize("code", [errno.EPERM, errno.ENOTSUP])
def test_without_hard_links_an_exclusive_create_reserves_the_name(tmp_path, monkeypatch, code):
    def no_link(src, dst):
        raise OSError(code, "links not supported")

    monkeypatch.setattr(atomic.os, "link", no_link)
    path = write_file_atomic(tmp_path / "a.txt", b"one")
    assert path.read_bytes() == b"one"
    real = atomic._write_bytes

    def write_and_be_overtaken(tmp, data):
        real(tmp, data)
        (tmp_path / "b.txt").write_bytes(b"theirs")

    monkeypatch.setattr(atomic, "_write_bytes", write_and_be_overtaken)
    with pytest.raises(TrialExistsError):
        write_file_atomic(tmp_path / "b.txt", b"mine")
    assert (tmp_path / "b.txt").read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_an_interrupt_mid_write_leaves_no_temporary(tmp_path, monkeypatch):
    def interrupted(tmp, data):
        tmp.write_bytes(data[:3])
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "_write_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_file_atomic(tmp_path / "key.json", b"secret allocation")
    assert list(tmp_path.iterdir()) == []


def test_errors_name_the_file_not_the_temporary(tmp_path):
    with pytest.raises(TrialFileError, match="does not exist"):
        write_file_atomic(tmp_path / "missing" / "x.txt", b"")
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(OSError) as info:
        write_file_atomic(tmp_path / "dir.txt", b"x", overwrite=True)
    assert ".tmp-" not in str(info.value) and "dir.txt" in str(info.value)


def test_temporary_sibling_removes_folders_too(tmp_path):
    with pytest.raises(RuntimeError), temporary_sibling(tmp_path / "trial") as tmp:
        (tmp / "helper").mkdir(parents=True)
        (tmp / "helper" / "key.json").write_text("{}")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []
