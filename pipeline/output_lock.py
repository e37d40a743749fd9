"""One writer at a time per output folder: an exclusive lock that names its holder.

``newsbeam run`` (batch and streaming), ``compact`` and ``check --repair`` hold the lock from before
they read the output's state until after their commit. What is guaranteed depends on where the
output lives:

- **Local paths** (and network file systems that implement ``flock``, such as NFSv4): an OS file
  lock (``flock`` through the filelock library) on ``OUTPUT/_state/lock``. The kernel releases it
  when the holding process ends, however it ends, so a crashed run never blocks the next one; the
  holder's description (``_state/lock-holder.json``) is only informative.
- **gs://**: the lock is an object created with the precondition ``ifGenerationMatch=0`` (create only
  if absent), atomic on Google Cloud Storage; renewed and released with the holder's generation.
- **s3://**: the same with S3 conditional writes (``If-None-Match: *`` to create, ``If-Match`` with
  the holder's ETag to renew, take over or delete).
- **Other Beam file systems** (hdfs://, azfs://, ...): best effort only, a create after an existence
  check through Beam's FileSystems: two runs starting within the same instant may both proceed.

An object-store lock is a lease: its holder renews it every ``LEASE / 4`` from a background thread,
so a holder that died without releasing it (killed machine) blocks others for at most ``LEASE``.
A holder on this host whose process no longer exists is taken over at once.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable, Optional, Protocol
from urllib.parse import urlsplit

from apache_beam.io.filesystems import FileSystems

from transforms.sinks.layout import lock_holder_path, lock_path

LEASE = datetime.timedelta(minutes=10)
POLL_SECONDS = 0.5

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) an output's lock; written next to the lock for the next writer to read."""

    command: str
    run_id: str
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    started_at: str = field(default_factory=lambda: _utc_now().isoformat(timespec="seconds"))
    renewed_at: str = ""

    def describe(self) -> str:
        what = f"run {self.run_id}" if self.run_id else self.command
        return f"{what} (host {self.host}, pid {self.pid}, started {self.started_at})"

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Optional["Holder"]:
        try:
            fields = json.loads(data.decode("utf-8"))
            return cls(**{key: fields[key] for key in cls.__dataclass_fields__ if key in fields})
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def is_dead_process_on_this_host(self) -> bool:
        return self.host == socket.gethostname() and self.pid != os.getpid() and not _process_exists(self.pid)


class OutputLocked(Exception):
    """Another writer holds the output's lock (``holder`` is None when it could not be read)."""

    def __init__(self, output_dir: str, holder: Optional[Holder], waited: float):
        self.output_dir = output_dir
        self.holder = holder
        self.waited = waited
        who = holder.describe() if holder else "another newsbeam process"
        super().__init__(
            f"output {output_dir!r} is being written by {who}; waited {waited:.0f} s "
            "(--lock-timeout SECONDS waits longer)"
        )


class OutputLock:
    """A held lock; ``release()`` (or leaving the ``with`` block) gives it up.

    ``previous`` is the holder a dead process left behind, when this lock was taken over from it.
    """

    def __init__(self, release: Callable[[], None], previous: Optional[Holder]):
        self._release = release
        self.previous = previous

    def release(self) -> None:
        release, self._release = self._release, lambda: None
        release()

    def __enter__(self) -> "OutputLock":
        return self

    def __exit__(self, *_exc) -> None:
        self.release()


def acquire_output_lock(output_dir: str, holder: Holder, timeout: float = 0.0) -> OutputLock:
    """Take the output's lock, waiting up to ``timeout`` seconds; raises OutputLocked."""
    scheme = urlsplit(output_dir).scheme
    if scheme in ("", "file"):
        return _acquire_local(output_dir, holder, timeout)
    return LeaseLock(_object_store_for(output_dir), output_dir).acquire(holder, timeout)


# --- local file systems: flock -------------------------------------------------------------------


def _acquire_local(output_dir: str, holder: Holder, timeout: float) -> OutputLock:
    import filelock

    os.makedirs(os.path.dirname(lock_path(output_dir)), exist_ok=True)
    holder_path = lock_holder_path(output_dir)
    # preserve_lock_file: deleting a flock'ed file on release lets two later writers lock two
    # different files of one name; thread_local off: the launcher may release from another thread.
    lock = filelock.FileLock(
        lock_path(output_dir), preserve_lock_file=True, thread_local=False, fallback_to_soft=False
    )
    started = time.monotonic()
    try:
        lock.acquire(timeout=timeout, poll_interval=min(POLL_SECONDS, max(timeout, 0.01)))
    except filelock.Timeout:
        raise OutputLocked(output_dir, _read_local_holder(holder_path, patience=1.0), time.monotonic() - started) from None
    previous = _read_local_holder(holder_path)
    with open(holder_path, "wb") as handle:
        handle.write(holder.to_bytes())

    def release() -> None:
        try:
            os.remove(holder_path)
        except FileNotFoundError:
            pass
        lock.release()

    return OutputLock(release, previous if previous and previous.pid != holder.pid else None)


def _read_local_holder(path: str, patience: float = 0.0) -> Optional[Holder]:
    """The holder's description; with ``patience``, wait that long for a holder that has just taken
    the lock and not yet written it."""
    deadline = time.monotonic() + patience
    while True:
        try:
            with open(path, "rb") as handle:
                holder = Holder.from_bytes(handle.read())
        except OSError:
            holder = None
        if holder is not None or time.monotonic() >= deadline:
            return holder
        time.sleep(0.05)


# --- object stores: a lease on one object created only if absent -------------------------------


class ObjectStore(Protocol):
    """One object with conditional writes; ``token`` is its generation (GCS) or ETag (S3)."""

    def create(self, data: bytes) -> Optional[str]:
        """Write ``data`` only if the object does not exist; the new token, or None if it exists."""

    def replace(self, data: bytes, token: str) -> Optional[str]:
        """Overwrite only if the object still has ``token``; the new token, or None if it changed."""

    def read(self) -> Optional[tuple[bytes, str]]:
        """The object's bytes and token, or None if it does not exist."""

    def delete(self, token: str) -> None:
        """Delete the object if it still has ``token`` (silently nothing otherwise)."""


class LeaseLock:
    """A lease kept in one object of an ``ObjectStore``; see the module docstring."""

    def __init__(self, store: ObjectStore, output_dir: str, lease: datetime.timedelta = LEASE):
        self._store = store
        self._output_dir = output_dir
        self._lease = lease

    def acquire(self, holder: Holder, timeout: float = 0.0) -> OutputLock:
        started = time.monotonic()
        while True:
            mine = replace(holder, renewed_at=_utc_now().isoformat())
            token = self._store.create(mine.to_bytes())
            previous = None
            if token is None:
                token, previous = self._take_over_if_abandoned(mine)
            if token is not None:
                return self._held(mine, token, previous)
            current = self._store.read()
            if time.monotonic() - started >= timeout:
                raise OutputLocked(self._output_dir, Holder.from_bytes(current[0]) if current else None, time.monotonic() - started)
            time.sleep(min(POLL_SECONDS * 2, max(timeout, 0.01)))

    def _take_over_if_abandoned(self, mine: Holder) -> tuple[Optional[str], Optional[Holder]]:
        current = self._store.read()
        if current is None:
            return None, None  # released meanwhile: the next create wins or loses fairly
        data, token = current
        other = Holder.from_bytes(data)
        if other is not None and not (other.is_dead_process_on_this_host() or self._expired(other)):
            return None, None
        return self._store.replace(mine.to_bytes(), token), other

    def _expired(self, holder: Holder) -> bool:
        try:
            renewed = datetime.datetime.fromisoformat(holder.renewed_at or holder.started_at)
        except ValueError:
            return True
        if renewed.tzinfo is None:
            renewed = renewed.replace(tzinfo=datetime.timezone.utc)
        return _utc_now() - renewed > self._lease

    def _held(self, holder: Holder, token: str, previous: Optional[Holder]) -> OutputLock:
        state = {"token": token}
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self._lease.total_seconds() / 4):
                renewed = self._store.replace(replace(holder, renewed_at=_utc_now().isoformat()).to_bytes(), state["token"])
                if renewed is None:
                    _LOGGER.error("the lock on %s was taken by another writer", self._output_dir)
                    return
                state["token"] = renewed

        renewer = threading.Thread(target=renew, name="newsbeam-lock-lease", daemon=True)
        renewer.start()

        def release() -> None:
            stop.set()
            renewer.join()
            self._store.delete(state["token"])

        return OutputLock(release, previous)


def _object_store_for(output_dir: str) -> ObjectStore:
    scheme = urlsplit(output_dir).scheme
    path = lock_path(output_dir.rstrip("/"))
    if scheme == "gs":
        return GcsObject(path)
    if scheme == "s3":
        return S3Object(path)
    _LOGGER.warning("%s:// has no atomic create-if-absent: the output lock is best effort there", scheme)
    return FileSystemsObject(path)


class GcsObject:
    """The lock object on Google Cloud Storage (generation preconditions)."""

    def __init__(self, url: str, client=None):
        from google.cloud import storage

        parts = urlsplit(url)
        self._client = client or storage.Client()
        self._blob_name = parts.path.lstrip("/")
        self._bucket = self._client.bucket(parts.netloc)

    def create(self, data: bytes) -> Optional[str]:
        return self._upload(data, 0)

    def replace(self, data: bytes, token: str) -> Optional[str]:
        return self._upload(data, int(token))

    def _upload(self, data: bytes, generation: int) -> Optional[str]:
        from google.api_core.exceptions import PreconditionFailed

        blob = self._bucket.blob(self._blob_name)
        try:
            blob.upload_from_string(data, content_type="application/json", if_generation_match=generation)
        except PreconditionFailed:
            return None
        return str(blob.generation)

    def read(self) -> Optional[tuple[bytes, str]]:
        from google.api_core.exceptions import NotFound

        blob = self._bucket.get_blob(self._blob_name)
        if blob is None:
            return None
        try:
            return blob.download_as_bytes(if_generation_match=blob.generation), str(blob.generation)
        except NotFound:
            return None

    def delete(self, token: str) -> None:
        from google.api_core.exceptions import NotFound, PreconditionFailed

        try:
            self._bucket.blob(self._blob_name).delete(if_generation_match=int(token))
        except (NotFound, PreconditionFailed):
            pass


class S3Object:
    """The lock object on S3 (conditional writes: If-None-Match and If-Match)."""

    def __init__(self, url: str, client=None):
        parts = urlsplit(url)
        if client is None:
            import boto3

            client = boto3.client("s3")
        self._client = client
        self._bucket = parts.netloc
        self._key = parts.path.lstrip("/")

    def create(self, data: bytes) -> Optional[str]:
        return self._put(data, IfNoneMatch="*")

    def replace(self, data: bytes, token: str) -> Optional[str]:
        return self._put(data, IfMatch=token)

    def _put(self, data: bytes, **condition: str) -> Optional[str]:
        try:
            return self._client.put_object(Bucket=self._bucket, Key=self._key, Body=data, **condition)["ETag"]
        except self._client.exceptions.ClientError as error:
            if _s3_code(error) in ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"):
                return None
            raise

    def read(self) -> Optional[tuple[bytes, str]]:
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=self._key)
        except self._client.exceptions.NoSuchKey:
            return None
        return answer["Body"].read(), answer["ETag"]

    def delete(self, token: str) -> None:
        try:
            self._client.delete_object(Bucket=self._bucket, Key=self._key, IfMatch=token)
        except self._client.exceptions.ClientError as error:
            if _s3_code(error) not in ("PreconditionFailed", "NoSuchKey"):
                raise


def _s3_code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


class FileSystemsObject:
    """Best effort on file systems without conditional writes: check, then write, then read back."""

    def __init__(self, path: str):
        self._path = path

    def create(self, data: bytes) -> Optional[str]:
        if FileSystems.exists(self._path):
            return None
        return self._write(data)

    def replace(self, data: bytes, token: str) -> Optional[str]:
        current = self.read()
        if current is None or current[1] != token:
            return None
        return self._write(data)

    def _write(self, data: bytes) -> Optional[str]:
        with FileSystems.create(self._path) as handle:
            handle.write(data)
        current = self.read()
        return current[1] if current and current[0] == data else None

    def read(self) -> Optional[tuple[bytes, str]]:
        if not FileSystems.exists(self._path):
            return None
        with FileSystems.open(self._path) as handle:
            data = handle.read()
        return data, hashlib.sha256(data).hexdigest()

    def delete(self, token: str) -> None:
        current = self.read()
        if current is not None and current[1] == token:
            FileSystems.delete([self._path])


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)
