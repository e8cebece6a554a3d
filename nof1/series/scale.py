"""Series too large for one process: partitioned Parquet and Dask (``dask.distributed``).

A partitioned series is a folder::

    series/
      trials/part-00000.parquet  part-00001.parquet ...
      diary/part-00000.parquet   part-00001.parquet ...

Part ``i`` of both tables holds the same persons (at least 1,000 trials per part except
the last), so one task analyses one part with the same vectorised batch code as
in-process (:func:`~nof1.series.analyze_series`) and returns tidy per-person rows;
pooling runs on the client. Worker start-up costs about 2 s of imports, which is why a
task is a chunk of trials, never one trial.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._validation import check_int
from .batch import PAIR_COLUMNS, PERSON_COLUMNS, PersonResults, analyze_series
from .data import Series, SeriesError, validate_series

__all__ = ["write_partitioned", "analyze_partitioned", "MIN_CHUNK", "is_partitioned"]

#: smallest number of trials per part (and per Dask task)
MIN_CHUNK = 1_000


def is_partitioned(directory: str | os.PathLike[str]) -> bool:
    """Whether ``directory`` holds a partitioned series (``trials/`` and ``diary/`` parts)."""
    d = Path(directory)
    return (d / "trials").is_dir() and (d / "diary").is_dir()


def write_partitioned(series: Series, directory: str | os.PathLike[str], *,
                      chunk_size: int = 5_000) -> Path:
    """Write a series as Parquet parts of ``chunk_size`` persons, atomically.

    Parameters
    ----------
    series : Series
    directory : path
        A new folder (must not exist or be empty).
    chunk_size : int
        Persons per part, at least :data:`MIN_CHUNK`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1.series.simulate import simulate_series
    >>> s = simulate_series(1500, n_pairs=3, rng=12345)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_partitioned(s, pathlib.Path(tmp) / "big", chunk_size=1000)
    ...     sorted(p.name for p in (out / "trials").iterdir())
    ['part-00000.parquet', 'part-00001.parquet']
    """
    from ..trial._atomic import write_tree_atomic

    chunk_size = check_int(chunk_size, "chunk_size", minimum=MIN_CHUNK)
    persons = series.trials["person"].to_numpy()
    dp = series.diary["person"].to_numpy()
    files: dict[str, bytes] = {}
    for i, s in enumerate(range(0, persons.size, chunk_size)):
        who = persons[s:s + chunk_size]
        lo = dp.searchsorted(who[0], side="left")
        hi = dp.searchsorted(who[-1], side="right")
        for name, frame in (("trials", series.trials.iloc[s:s + chunk_size]),
                            ("diary", series.diary.iloc[lo:hi])):
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False)
            files[f"{name}/part-{i:05d}.parquet"] = buf.getvalue()
    return write_tree_atomic(directory, files)


def _parts(directory: Path) -> list[tuple[Path, Path]]:
    trials = sorted((directory / "trials").glob("part-*.parquet"))
    diary = sorted((directory / "diary").glob("part-*.parquet"))
    if not trials or [p.name for p in trials] != [p.name for p in diary]:
        raise SeriesError(f"{directory}: trials/ and diary/ must hold the same part files")
    return list(zip(trials, diary, strict=True))


def _analyze_part(paths: tuple[str, str], outcomes: list[str] | None,
                  kw: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One task: read a part, validate it, analyse it; return tidy frames."""
    trials = pd.read_parquet(paths[0])
    diary = pd.read_parquet(paths[1])
    res = analyze_series(validate_series(trials, diary), outcomes=outcomes, **kw)
    return res.persons, res.pairs, res.covariates


def _combine(parts: Sequence[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]],
             confidence_level: float, outcomes: list[str] | None) -> PersonResults:
    persons = pd.concat([p[0] for p in parts], ignore_index=True)
    names = outcomes or list(pd.unique(persons["outcome"]))
    persons["outcome"] = pd.Categorical(persons["outcome"], categories=names)
    persons = persons.sort_values(["outcome", "person"], kind="stable").reset_index(drop=True)
    persons["outcome"] = persons["outcome"].astype(str)
    pairs = pd.concat([p[1] for p in parts], ignore_index=True)
    cov = pd.concat([p[2] for p in parts], ignore_index=True)
    cov = cov.sort_values("person", kind="stable").reset_index(drop=True)
    return PersonResults(persons=persons[list(PERSON_COLUMNS)],
                         pairs=pairs[list(PAIR_COLUMNS)], covariates=cov,
                         confidence_level=confidence_level)


def analyze_partitioned(directory: str | os.PathLike[str], *,
                        outcomes: Sequence[str] | None = None, client: Any = None,
                        scheduler: str | None = None, confidence_level: float = 0.95,
                        progress: bool = False) -> PersonResults:
    """Per-person results of a partitioned series, in process or on a Dask cluster.

    Parameters
    ----------
    directory : path
        Written by :func:`write_partitioned`.
    outcomes : sequence of str, optional
    client : distributed.Client, optional
        Run one task per part on this client's cluster.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); a client is made
        and closed here. Without ``client`` and ``scheduler`` the parts are analysed in
        this process.
    confidence_level : float
    progress : bool
        Show a progress bar over the parts.

    Returns
    -------
    PersonResults
        Identical to :func:`~nof1.series.analyze_series` on the whole series (exact
        randomization tests; persons sorted the same way).
    """
    directory = Path(directory)
    parts = _parts(directory)
    outs = None if outcomes is None else list(outcomes)
    kw = {"confidence_level": confidence_level}
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(parts), desc="parts", unit="part", leave=False)
    own_client = None
    try:
        if client is None and scheduler is not None:
            from distributed import Client

            client = own_client = Client(scheduler)
        if client is None:
            results = []
            for p in parts:
                results.append(_analyze_part((str(p[0]), str(p[1])), outs, kw))
                if bar is not None:
                    bar.update()
        else:
            from distributed import as_completed

            futures = [client.submit(_analyze_part, (str(a), str(b)), outs, kw, pure=False)
                       for a, b in parts]
            order = {f.key: i for i, f in enumerate(futures)}
            got: dict[int, Any] = {}
            for fut in as_completed(futures):
                got[order[fut.key]] = fut.result()
                if bar is not None:
                    bar.update()
            results = [got[i] for i in range(len(futures))]
    finally:
        if bar is not None:
            bar.close()
        if own_client is not None:
            own_client.close()
    return _combine(results, confidence_level, outs)
