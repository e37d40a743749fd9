"""Shared fixtures: a local HTTP server, Beam test pipelines on the in-process runner, DuckDB over
output folders, and one local Spark session."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local SparkSession (in UTC, bound to 127.0.0.1) for every test that reads the output with
    Spark; skipped without pyspark or a Java runtime (CI installs both)."""
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed (pip install -e '.[test]')")
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home, "bin", "java").exists()):
        pytest.skip("no Java runtime for pyspark: java is not on PATH and JAVA_HOME has none")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("newsbeam-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        # Many short jobs: the JVM's quick compiler alone and the serial GC halve the Spark time.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        # Tables created with a LOCATION; the warehouse folder would otherwise land in the working directory.
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
