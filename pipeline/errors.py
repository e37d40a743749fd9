"""Exceptions the command line turns into one clear line and a non-zero exit."""

import re


class UsageError(Exception):
    """Bad user input: a missing file, a bad option, an unwritable output location."""


def one_line(error: BaseException) -> str:
    """The line of an exception that says what went wrong. Beam wraps a worker's exception,
    traceback and all, in the message of its own, so the last line naming an exception is the
    telling one."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    named = [line for line in lines if re.match(r"^[A-Za-z_.]*(Error|Exception|Interrupt)\b", line)]
    text = (named or lines or [""])[-1]
    if not re.match(r"^[A-Za-z_.]*(Error|Exception)\b", text):
        text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return text[:500]
