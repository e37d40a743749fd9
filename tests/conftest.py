"""Shared fixtures: a local HTTP server, Beam test pipelines on the in-process runner, and DuckDB
over output folders."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline

import pipeline.sql
from tests.local_servers import LocalServer


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local HTTP server on 127.0.0.1, stopped after the test."""
    with LocalServer() as running:
        yield running


@pytest.fixture
def beam_pipeline():
    """A TestPipeline on Beam's in-process runner (the same one `newsbeam run` uses by default)."""
    return TestPipeline(runner="FnApiRunner", options=PipelineOptions([]), blocking=True)


@pytest.fixture
def query(tmp_path):
    """query(sql, output_dir=tmp_path/"out") -> list of row dicts, through `newsbeam sql`'s views."""

    def run(sql: str, output_dir=None):
        connection = pipeline.sql.connect(str(output_dir or tmp_path / "out"))
        relation = connection.sql(sql)
        return [dict(zip(relation.columns, row)) for row in relation.fetchall()]

    return run
