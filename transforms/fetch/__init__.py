"""Downloading feeds and article pages politely and safely.

- ``client``: ``HttpClient``, ``FetchSettings`` and ``FetchResult``, the one HTTP client of newsbeam.
- ``fetch_pages``: the ``FetchPages`` stage (``PageRequest`` -> ``FetchedPage`` + error rows).
- ``shared_client``: one client per worker process, so every DoFn shares its politeness.
- What the client is built from, one concern each: ``addresses`` (which IPs may be dialled),
  ``connections`` (urllib3 pools that enforce it), ``urls``, ``politeness`` and ``scheduler``
  (per-host spacing and caps), ``robots``, ``retries``, ``decompress`` (bounded gzip/deflate),
  ``content`` (media types and charsets) and ``local_files``.
"""
