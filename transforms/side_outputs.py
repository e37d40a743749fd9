"""The tags of the DoFns' side outputs, and the return hints that name them.

Every stage sends what fails to its ``errors`` output as ``ErrorRecord`` rows (the errors table);
the feed reader also sends the cache validators it learnt to ``validators``. Beam types a DoFn's
outputs from the return hint of its ``process``. Since Beam 2.78 a bare ``TaggedOutput`` in that
hint is taken for part of the main output's type, which then fails the type check of the next
transform ("requires FetchedPage but was applied to Union[TaggedOutput, FetchedPage]"). A hint that
names the tag and its value (``TaggedOutput[Literal["errors"], ErrorRecord]``, Beam's typed form
since 2.72) types every output on old and new Beam alike.

A composite transform (``PTransform.expand``) that takes or gives several PCollections (a dict by
tag, a ``DoOutputsTuple``, a tuple) is hinted ``SeveralPCollections``. Beam reads any other expand
hint than one PCollection as a mistake and, since 2.78, says so on stderr at every run, which breaks
the CLI's one-line messages; the alias names the shape and is ``Any`` to Beam.
"""

from __future__ import annotations

from typing import Any, Final, Literal, TypeAlias

from apache_beam.pvalue import TaggedOutput

from schemas.errors import ErrorRecord

ERRORS_TAG: Final = "errors"
VALIDATORS_TAG: Final = "validators"

SeveralPCollections: TypeAlias = Any

try:
    ErrorOutput: Any = TaggedOutput[Literal["errors"], ErrorRecord]
    # (feed URL, the validators its response carried: header name -> value)
    ValidatorsOutput: Any = TaggedOutput[Literal["validators"], tuple[str, dict[str, str]]]
except TypeError:  # Beam before 2.72: TaggedOutput takes no parameters, and a bare one is left out of the main output
    ErrorOutput = ValidatorsOutput = TaggedOutput
