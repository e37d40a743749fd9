"""Defaults shared by the commands, importable without loading Beam (``newsbeam code`` starts fast)."""

DEFAULT_OUTPUT = "newsbeam-output"
