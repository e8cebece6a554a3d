"""Partitioned Parquet series on a Dask LocalCluster with two worker processes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nof1.cli import main
from nof1.series import analyze_series, meta_analysis
from nof1.series.scale import MIN_CHUNK, analyze_partitioned, write_partitioned
from nof1.series.simulate import draw_cohort_2022, simulate_series

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    n = 2 * MIN_CHUNK + 250
    rng = np.random.default_rng(777)
    cohort = draw_cohort_2022(n, rng=rng)
    s = simulate_series(n, n_pairs=rng.choice([3, 6], size=n),
                        effects={"pain": rng.normal(-0.5, 0.5, n)}, covariates=cohort, rng=rng)
    path = write_partitioned(s, tmp_path_factory.mktemp("dask") / "series",
                             chunk_size=MIN_CHUNK)
    return s, path


def test_parts_hold_whole_persons(big):
    s, path = big
    parts = sorted((path / "trials").glob("*.parquet"))
    assert len(parts) == 3
    for p in parts:
        t = pd.read_parquet(p)
        d = pd.read_parquet(path / "diary" / p.name)
        assert set(t["person"]) == set(d["person"])


def test_chunks_must_be_large(big, tmp_path):
    with pytest.raises(ValueError, match="chunk_size"):
        write_partitioned(big[0], tmp_path / "small", chunk_size=10)


def test_local_cluster_gives_the_in_process_results(big):
    s, path = big
    local = analyze_series(s, outcomes=["pain"])
    in_process = analyze_partitioned(path, outcomes=["pain"])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        on_cluster = analyze_partitioned(path, outcomes=["pain"], client=client)
        assert len(client.scheduler_info()["workers"]) == 2
        # the command line, pointed at the same scheduler
        out = path.parent / "report"
        assert main(["series", "analyze", str(path), "--dask-scheduler",
                     cluster.scheduler_address, "--out", str(out), "--no-progress"]) == 0
        table = pd.read_csv(out / "persons.csv")
        assert len(table) == len(s) and (out / "report.html").is_file()
    for res in (in_process, on_cluster):
        pd.testing.assert_frame_equal(res.persons, local.persons)
        pd.testing.assert_frame_equal(
            res.pairs.sort_values(["person", "pair"]).reset_index(drop=True),
            local.pairs.sort_values(["person", "pair"]).reset_index(drop=True))
        pd.testing.assert_frame_equal(res.covariates, local.covariates, check_dtype=False)
    a = meta_analysis(on_cluster.persons)
    b = meta_analysis(local.persons)
    assert a.to_dict() == b.to_dict()
