"""The output lock on each kind of store: local flock, S3 conditional writes (moto), GCS generation
preconditions (a stand-in for the client that enforces them as GCS does), and the lease rules."""

from __future__ import annotations

import datetime
import json
import os
import threading
from dataclasses import replace

import pytest

from pipeline.output_lock import (
    FileSystemsObject,
    GcsObject,
    Holder,
    LeaseLock,
    OutputLocked,
    S3Object,
    acquire_output_lock,
)

BUCKET = "newsbeam-lock-test"


def _holder(run_id: str, **changes) -> Holder:
    return replace(Holder(command="run", run_id=run_id), **changes)


# --- local file system ------------------------------------------------------------------------------


def test_local_lock_is_exclusive_names_its_holder_and_is_free_after_release(tmp_path):
    output = str(tmp_path / "out")
    with acquire_output_lock(output, _holder("first")):
        with pytest.raises(OutputLocked) as refused:
            acquire_output_lock(output, _holder("second"), timeout=0.2)
        assert refused.value.holder.run_id == "first" and refused.value.waited >= 0.2
        assert "run first" in str(refused.value)
    assert not (tmp_path / "out" / "_state" / "lock-holder.json").exists()
    with acquire_output_lock(output, _holder("second")) as lock:
        assert lock.previous is None


def test_local_lock_waits_for_a_holder_that_finishes(tmp_path):
    output = str(tmp_path / "out")
    first = acquire_output_lock(output, _holder("first"))
    threading.Timer(0.5, first.release).start()
    with acquire_output_lock(output, _holder("second"), timeout=20):
        pass


# --- the lease protocol, on any store -----------------------------------------------------------------


class MemoryObject:
    """An ObjectStore in memory with the semantics GCS and S3 give conditional writes."""

    def __init__(self) -> None:
        self.data: bytes | None = None
        self.version = 0

    def create(self, data):
        if self.data is not None:
            return None
        return self._put(data)

    def replace(self, data, token):
        if self.data is None or str(self.version) != token:
            return None
        return self._put(data)

    def _put(self, data):
        self.data, self.version = data, self.version + 1
        return str(self.version)

    def read(self):
        return None if self.data is None else (self.data, str(self.version))

    def delete(self, token):
        if str(self.version) == token:
            self.data = None


def test_lease_lock_refuses_a_live_holder_and_releases_only_its_own_object():
    store = MemoryObject()
    lock = LeaseLock(store, "gs://b/out").acquire(_holder("first"))
    with pytest.raises(OutputLocked) as refused:
        LeaseLock(store, "gs://b/out").acquire(_holder("second"), timeout=0)
    assert refused.value.holder.run_id == "first"
    lock.release()
    assert store.data is None
    LeaseLock(store, "gs://b/out").acquire(_holder("second")).release()


def test_lease_lock_takes_over_an_expired_lease_and_a_dead_process_on_this_host():
    store = MemoryObject()
    stale = _holder("crashed-elsewhere", host="other-host", renewed_at="2020-01-01T00:00:00+00:00")
    store.create(stale.to_bytes())
    lock = LeaseLock(store, "s3://b/out").acquire(_holder("next"))
    assert lock.previous.run_id == "crashed-elsewhere"
    lock.release()

    dead = _holder("killed", pid=_pid_of_no_process(), renewed_at=datetime.datetime.now(datetime.timezone.utc).isoformat())
    store.create(dead.to_bytes())
    lock = LeaseLock(store, "s3://b/out").acquire(_holder("after-kill"))
    assert lock.previous.run_id == "killed"
    lock.release()


def test_lease_is_renewed_while_held():
    store = MemoryObject()
    lock = LeaseLock(store, "gs://b/out", lease=datetime.timedelta(seconds=0.2)).acquire(_holder("long"))
    first_version = store.version
    threading.Event().wait(0.3)
    assert store.version > first_version  # renewed at least once
    assert json.loads(store.data)["run_id"] == "long"
    lock.release()


def test_best_effort_lock_on_other_file_systems(tmp_path):
    store = FileSystemsObject(str(tmp_path / "lock"))
    lock = LeaseLock(store, str(tmp_path)).acquire(_holder("one"))
    with pytest.raises(OutputLocked):
        LeaseLock(store, str(tmp_path)).acquire(_holder("two"))
    lock.release()
    assert not (tmp_path / "lock").exists()


# --- S3, through moto's implementation of conditional writes ----------------------------------------


@pytest.fixture
def s3_client():
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_s3_lock_uses_conditional_writes(s3_client):
    url = f"s3://{BUCKET}/out/_state/lock"
    store = S3Object(url, client=s3_client)
    lock = LeaseLock(store, f"s3://{BUCKET}/out").acquire(_holder("first"))
    assert S3Object(url, client=s3_client).create(b"{}") is None  # If-None-Match: * refuses
    with pytest.raises(OutputLocked) as refused:
        LeaseLock(S3Object(url, client=s3_client), f"s3://{BUCKET}/out").acquire(_holder("second"))
    assert refused.value.holder.run_id == "first"
    assert store.replace(b"{}", '"not-the-etag"') is None  # If-Match refuses a stale token
    lock.release()
    assert S3Object(url, client=s3_client).read() is None


# --- GCS: the client's generation preconditions ------------------------------------------------------


class _FakeBlob:
    def __init__(self, bucket, name):
        self._bucket, self.name = bucket, name
        self.generation = None

    def upload_from_string(self, data, content_type=None, if_generation_match=None):
        from google.api_core.exceptions import PreconditionFailed

        current = self._bucket.objects.get(self.name)
        if if_generation_match is not None and (current[1] if current else 0) != if_generation_match:
            raise PreconditionFailed("generation mismatch")
        self._bucket.counter += 1
        self._bucket.objects[self.name] = (data, self._bucket.counter)
        self.generation = self._bucket.counter

    def download_as_bytes(self, if_generation_match=None):
        from google.api_core.exceptions import NotFound, PreconditionFailed

        current = self._bucket.objects.get(self.name)
        if current is None:
            raise NotFound("gone")
        if if_generation_match is not None and current[1] != if_generation_match:
            raise PreconditionFailed("generation mismatch")
        return current[0]

    def delete(self, if_generation_match=None):
        from google.api_core.exceptions import NotFound, PreconditionFailed

        current = self._bucket.objects.get(self.name)
        if current is None:
            raise NotFound("gone")
        if if_generation_match is not None and current[1] != if_generation_match:
            raise PreconditionFailed("generation mismatch")
        del self._bucket.objects[self.name]


class _FakeBucket:
    def __init__(self):
        self.objects: dict[str, tuple[bytes, int]] = {}
        self.counter = 1000

    def blob(self, name):
        return _FakeBlob(self, name)

    def get_blob(self, name):
        if name not in self.objects:
            return None
        blob = _FakeBlob(self, name)
        blob.generation = self.objects[name][1]
        return blob


class _FakeClient:
    def __init__(self):
        self.buckets: dict[str, _FakeBucket] = {}

    def bucket(self, name):
        return self.buckets.setdefault(name, _FakeBucket())


def test_gcs_lock_uses_generation_preconditions():
    pytest.importorskip("google.api_core")
    client = _FakeClient()
    url = f"gs://{BUCKET}/out/_state/lock"
    lock = LeaseLock(GcsObject(url, client=client), f"gs://{BUCKET}/out").acquire(_holder("first"))
    assert client.buckets[BUCKET].objects["out/_state/lock"]
    with pytest.raises(OutputLocked) as refused:
        LeaseLock(GcsObject(url, client=client), f"gs://{BUCKET}/out").acquire(_holder("second"))
    assert refused.value.holder.run_id == "first"
    assert GcsObject(url, client=client).replace(b"{}", "1") is None
    lock.release()
    assert "out/_state/lock" not in client.buckets[BUCKET].objects


def _pid_of_no_process() -> int:
    pid = 2**22 - 7
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1
