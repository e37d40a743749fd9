"""The unchanged graph on other runners: the portable Job API (Flink's and Spark's protocol),
Dataflow's job translation and packaging, and the in-process runner with several worker processes.

Each real run reads the bundled sample corpus and is compared with a run on the default runner.
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Iterator

import apache_beam as beam
import duckdb
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability.api import beam_runner_api_pb2
from apache_beam.utils.timestamp import Timestamp

from pipeline.graph import GraphConfig, build_graph
from pipeline.plan import FeedSource
from pipeline.streaming import StreamingConfig, build_streaming_graph, stored_index_source
from sample_corpus import FEED_LIST, SAMPLE_ARTICLES
from tests.test_end_to_end import newsbeam_command
from transforms.dedupe.stream import SharedIndex
from transforms.sources.lists import read_list

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = str(Path(sys.executable).parent)
RUN_TIMEOUT = 600


def run_newsbeam(workdir: Path, output: str, *beam_args: str) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [*newsbeam_command(), "run", "--sample", "--output", output, "--run-id", output, *beam_args],
        cwd=workdir, capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed


def stored_ids(output: Path) -> dict[str, set[str]]:
    """Article ids and event ids of an output folder."""
    return {
        table: {row[0] for row in duckdb.sql(f"select {column} from read_parquet('{output}/{table}/**/*.parquet')").fetchall()}
        for table, column in (("articles", "article_id"), ("events", "event_id"))
    }


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("runners")


@pytest.fixture
def default_run(workdir, request) -> dict[str, set[str]]:
    """Ids of a default-runner run made just before the run it is compared with."""
    output = f"default-for-{request.node.name}"
    run_newsbeam(workdir, output)
    ids = stored_ids(workdir / output)
    assert len(ids["articles"]) == SAMPLE_ARTICLES and ids["events"]
    return ids


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port} after {seconds} s")


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop a service and the SDK workers it started (they share its process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    else:
        # The service may be gone while workers it started still run in its group.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def portable_services(workdir) -> Iterator[tuple[int, int]]:
    """A local job service and an external SDK worker pool, each in its own process group.

    The worker pool starts workers with the ``python`` found on PATH, so the venv comes first there.
    """
    job_port, worker_port = free_port(), free_port()
    environment = {**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", "")}
    commands = (
        [sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main", f"--port={job_port}"],
        [sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main", f"--service_port={worker_port}"],
    )
    processes: list[subprocess.Popen] = []
    try:
        for command, log_name in zip(commands, ("job_service.log", "worker_pool.log")):
            with open(workdir / log_name, "wb") as log:
                processes.append(
                    subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True)
                )
        for process, port in zip(processes, (job_port, worker_port)):
            wait_for_port(port, process)
        yield job_port, worker_port
    finally:
        for process in processes:
            stop_process_group(process)


def test_portable_job_api_with_external_workers_matches_default_run(workdir, default_run, portable_services):
    job_port, worker_port = portable_services
    completed = run_newsbeam(
        workdir, "portable",
        "--runner=PortableRunner", f"--job_endpoint=localhost:{job_port}",
        "--environment_type=EXTERNAL", f"--environment_config=localhost:{worker_port}",
    )
    assert "on PortableRunner" in completed.stdout
    assert stored_ids(workdir / "portable") == default_run


def test_two_worker_processes_match_default_run(workdir, default_run):
    completed = run_newsbeam(workdir, "two-processes", "--direct_num_workers=2", "--direct_running_mode=multi_processing")
    assert "on FnApiRunner" in completed.stdout
    assert stored_ids(workdir / "two-processes") == default_run


@pytest.fixture
def no_internet(monkeypatch):
    """Any connection to a non-loopback address fails, so a test proves it works offline."""
    connect = socket.socket.connect

    def loopback_only(self, address):
        host = address[0] if isinstance(address, tuple) else ""
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"test is offline: connection to {address!r} refused")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)


@pytest.fixture
def dataflow_extra() -> None:
    """DataflowRunner needs Beam's ``[gcp]`` extra (``make test`` installs it)."""
    pytest.importorskip("google.cloud.dataflow", reason="needs apache-beam[gcp]: pip install -e '.[gcp]'")


def dataflow_dry_run_options(*extra: str) -> PipelineOptions:
    return PipelineOptions([
        "--runner=DataflowRunner", "--dry_run=True",
        "--project=newsbeam-example", "--region=europe-west1",
        "--temp_location=gs://newsbeam-example/temp",
        f"--setup_file={REPO / 'setup.py'}",
        *extra,
    ])


def staged_files(job) -> set[Path]:
    (environment,) = job.proto_pipeline.components.environments.values()
    assert environment.urn == "beam:env:docker:v1"
    return {Path(beam_runner_api_pb2.ArtifactFilePayload.FromString(d.type_payload).path) for d in environment.dependencies}


def remove_staging(staged: set[Path]) -> None:
    """Beam stages a dry run's artifacts in a fresh temporary folder and leaves it behind."""
    temp_root = Path(tempfile.gettempdir()).resolve()
    for folder in {path.parent.resolve() for path in staged}:
        if folder.parent == temp_root:
            shutil.rmtree(folder, ignore_errors=True)


def test_dataflow_job_is_translated_and_packaged_offline(tmp_path, dataflow_extra, no_internet):
    """``--dry_run`` builds the Dataflow job (graph translated to the runner API proto, the job's
    description, and every artifact the workers would receive) and stops before any GCP call."""
    options = dataflow_dry_run_options()
    pipeline = beam.Pipeline(options=options)
    source = FeedSource(tuple(read_list(str(FEED_LIST), "feed")))
    build_graph(pipeline, GraphConfig(source=source, output_dir=str(tmp_path / "out"), run_id="dry-run"))
    job = pipeline.run().job

    assert job.proto.name.startswith("beamapp-") and job.proto.type.name == "JOB_TYPE_BATCH"
    stage_names = {t.unique_name for t in job.proto_pipeline.components.transforms.values()}
    for stage in ("ReadFeeds", "FetchPages", "PagesToTables/CleanArticles", "PagesToTables/CodeEvents", "PagesToTables/WriteArticles", "PagesToTables/WriteEvents", "PagesToTables/WriteErrors"):
        assert stage in stage_names
    staged = staged_files(job)
    try:
        (package,) = [path for path in staged if path.name.startswith("newsbeam-") and path.name.endswith(".tar.gz")]
        with tarfile.open(package) as sdist:
            names = sdist.getnames()
        # The workers get the code and the data files it reads at setup.
        for expected in (
            "setup.py", "transforms/coding/data", "transforms/clean/data", "pipeline/graph.py",
            "transforms/coding/syntax/model/parser/model", "transforms/coding/syntax/model/meta.json",
        ):
            assert any(name.endswith(expected) or f"/{expected}/" in name for name in names), expected
    finally:
        remove_staging(staged)


def test_dataflow_streaming_job_is_translated_offline(tmp_path, dataflow_extra, no_internet):
    """The streaming graph (PeriodicImpulse, per-key state and timers, fixed windows) as a Dataflow
    streaming job."""
    pipeline = beam.Pipeline(options=dataflow_dry_run_options("--streaming"))
    output = str(tmp_path / "out")
    config = StreamingConfig(
        feed_urls=read_list(str(FEED_LIST), "feed"), output_dir=output,
        index=SharedIndex(stored_index_source(output, datetime.timedelta(days=7), 600)), run_id="dry-stream",
        poll_interval=300, window_seconds=600,
    )
    build_streaming_graph(pipeline, config, Timestamp.now())
    job = pipeline.run().job
    remove_staging(staged_files(job))

    assert job.proto.type.name == "JOB_TYPE_STREAMING"
    stage_names = {t.unique_name for t in job.proto_pipeline.components.transforms.values()}
    for stage in (
        "PollFeeds/PollTicks", "PollFeeds/FetchFeeds", "SkipSeenUrls/FirstSighting", "PagesToTables/DropDuplicates/OnePerText",
        "PagesToTables/CodeEvents", "PagesToTables/CommitFiles", "SaveWindowValidators/MergeIntoState",
    ):
        assert stage in stage_names
