"""Shared fixtures: Beam test pipelines on the in-process runner, and DuckDB over output folders."""

from __future__ import annotations

import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline

import pipeline.sql


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
