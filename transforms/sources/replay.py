"""Replay and backfill: a folder of saved ``*.html`` / ``*.html.gz`` pages -> FetchedPages."""

from __future__ import annotations

import datetime
import gzip
import os
import stat
import zlib
from pathlib import Path
from typing import Iterator, Optional, Union

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from schemas.errors import make_error
from schemas.pages import FetchedPage
from transforms.fetch.content import UndecodableBody, decode_html
from transforms.side_outputs import ERRORS_TAG, ErrorOutput, SeveralPCollections

HTML_PATTERNS = ("**.html", "**.htm", "**.html.gz", "**.htm.gz")


def html_patterns(directory: str) -> list[str]:
    """Glob patterns for the saved pages anywhere below ``directory``."""
    return [FileSystems.join(_absolute_if_local(directory), pattern) for pattern in HTML_PATTERNS]


def _is_local(path: str) -> bool:
    return "://" not in path


def _absolute_if_local(path: str) -> str:
    """A local path made absolute (``hd`` would otherwise become the host of ``file://hd/x.html``)."""
    return str(Path(path).expanduser().absolute()) if _is_local(path) else path


def _is_special_file(path: str) -> bool:
    """True for a local FIFO, socket or device: reading one can block for ever or never end."""
    if not _is_local(path):
        return False
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:  # gone or unreadable: opening it says why
        return False


def read_saved_page(path: str, data: bytes, now: Optional[datetime.datetime] = None) -> FetchedPage:
    """A saved ``.html`` or ``.html.gz`` file as a FetchedPage; its URL is settled when cleaned."""
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    file_url = Path(path).absolute().as_uri() if _is_local(path) else path
    return FetchedPage(
        url=file_url,
        final_url=file_url,
        html=decode_html(data, None),
        fetched_at=now or datetime.datetime.now(datetime.timezone.utc),
        replayed=True,
    )


class _ReadSavedPageFn(beam.DoFn):
    """A matched file -> FetchedPage, or an ErrorRecord on ``errors`` when it cannot be read."""

    def __init__(self) -> None:
        self._pages_read = Metrics.counter("replay", "pages_read")

    def process(self, readable: fileio.ReadableFile) -> Iterator[Union[FetchedPage, ErrorOutput]]:
        path = readable.metadata.path
        if _is_special_file(path):
            message = f"{path} is not a regular file (a FIFO, socket or device), so it is not read"
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, make_error("replay", path, "file_not_found", message))
            return
        try:
            # Opened raw: read_saved_page decompresses, so errors in .gz files surface as rows.
            page = read_saved_page(path, readable.open(compression_type=CompressionTypes.UNCOMPRESSED).read())
        except FileNotFoundError as error:
            yield beam.pvalue.TaggedOutput(ERRORS_TAG, make_error("replay", path, "file_not_found", str(error)))
            return
        except (OSError, EOFError, zlib.error, UndecodableBody) as error:
            # A truncated .gz or bytes in no known encoding: named by the URL its page would have had.
            url = Path(path).absolute().as_uri() if _is_local(path) else path
            yield beam.pvalue.TaggedOutput(
                ERRORS_TAG, make_error("replay", url, "decode_error", str(error) or type(error).__name__)
            )
            return
        self._pages_read.inc()
        yield page


class ReadHtmlDir(beam.PTransform):
    """A folder of saved pages (searched recursively) -> outputs ``pages`` (main) and ``errors``."""

    def __init__(self, directory: str):
        super().__init__()
        self._patterns = html_patterns(directory)

    def expand(self, begin: beam.pvalue.PBegin) -> SeveralPCollections:
        return (
            begin
            | "HtmlPatterns" >> beam.Create(self._patterns)
            | "MatchHtmlFiles" >> fileio.MatchAll(empty_match_treatment=fileio.EmptyMatchTreatment.ALLOW)
            | "SpreadFiles" >> beam.Reshuffle()
            | "OpenHtmlFiles" >> fileio.ReadMatches()
            | "ReadSavedPage" >> beam.ParDo(_ReadSavedPageFn()).with_outputs(ERRORS_TAG, main="pages")
        )


def count_saved_pages(directory: str) -> int:
    """How many saved pages a folder holds (checked before the run, to fail early on none)."""
    matches = FileSystems.match(html_patterns(directory))
    return sum(not _is_special_file(file.path) for result in matches for file in result.metadata_list)


def html_dir_problem(folder: str) -> Optional[str]:
    """Why ``folder`` cannot be replayed, as the end of a sentence naming it, or None.

    Checked before the run, so that a mistyped folder is reported as such and not as an empty one.
    """
    if _is_local(folder):
        path = Path(folder).expanduser()
        if not path.exists():
            return "does not exist"
        if not path.is_dir():
            return "is not a folder"
    if count_saved_pages(folder) == 0:
        return "holds no *.html or *.html.gz files"
    return None
