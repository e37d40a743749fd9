"""The one exception the command line turns into a clear message and a non-zero exit."""


class UsageError(Exception):
    """Bad user input: a missing file, a bad option, an unwritable output location."""
