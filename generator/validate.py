"""Validate case studies: load every file, check each, then check what spans files.

The pipeline: `load` (bytes → data with positions) → `schema_check` (the JSON Schema) →
`checks` (the rules a schema cannot express) → the cross-file checks. Every problem of every
file is collected and returned; nothing stops at the first one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from generator.checks import cross_file_problems, file_problems
from generator.load import Document, load_document
from generator.model import CaseStudy, case_study_from_data
from generator.parallel import map_in_processes, paused_gc
from generator.problems import PLACEHOLDER, Problem, recovered_problem
from generator.schema_check import case_study_check

log = logging.getLogger(__name__)


@dataclass
class ValidationResult:
    """The outcome of validating a set of files."""

    problems: list[Problem]
    files: int
    valid_documents: list[Document] = field(default_factory=list, repr=False)

    @cached_property
    def case_studies(self) -> list[CaseStudy]:
        """Return the valid files as records (built on first use: `cwb validate` needs none)."""
        with paused_gc():
            return [case_study_from_data(doc.data, doc.path) for doc in self.valid_documents]

    @property
    def ok(self) -> bool:
        """Return whether every file is valid."""
        return not self.problems


@dataclass
class _Checked:
    """One file after its own checks: what the cross-file checks and the model need."""

    document: Document
    problems: list[Problem]


# The preview server's memory of checked files: path → ((mtime_ns, size), outcome).
FileCache = dict[Path, tuple[tuple[int, int], _Checked]]

# Only the positions the cross-file checks point at travel back from a worker process.
_CROSS_FILE = (("slug",), ("related",))


def validate_files(files: list[Path], *, cache: FileCache | None = None) -> ValidationResult:
    """Load and check every file (on every core for large sets); return case studies and problems.

    With a cache (the preview server's), a file whose size and modification time are unchanged
    is not read again; the checks that span files always run.
    """
    with paused_gc():
        return _validate(files, cache)


def _validate(files: list[Path], cache: FileCache | None) -> ValidationResult:
    if cache is None:
        checked = map_in_processes(_check_file, files)
    else:
        checked = _check_with_cache(files, cache)
    documents = [item.document for item in checked]
    problems = [problem for item in checked for problem in item.problems]
    cross = list(cross_file_problems(documents))
    unmarked = {problem.path for problem in cross} & {
        document.path for document in documents if not document.marked
    }
    if unmarked:  # rare: load those files again with marks, so the problems name their lines
        documents = [
            _checked(load_document(document.path)).document
            if document.path in unmarked
            else document
            for document in documents
        ]
        cross = list(cross_file_problems(documents))
    problems.extend(cross)
    bad_files = {problem.path for problem in problems}
    valid = [document for document in documents if document.ok and document.path not in bad_files]
    return ValidationResult(sorted(problems), len(files), valid)


def _check_with_cache(files: list[Path], cache: FileCache) -> list[_Checked]:
    keys = {}
    for path in files:
        try:
            stat = path.lstat()  # a file swapped for a link is checked again
            keys[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            keys[path] = (0, -1)
    stale = [path for path in files if path not in cache or cache[path][0] != keys[path]]
    for path, result in zip(stale, map_in_processes(_check_file, stale), strict=True):
        cache[path] = (keys[path], result)
    for path in set(cache) - set(files):
        del cache[path]  # deleted files
    return [cache[path][1] for path in files]


def _check_file(path: Path) -> _Checked:
    """Load one file and run every check that needs only that file.

    Most files are valid: a first pass without position marks decides; only a file with a
    problem is loaded again, with marks, so that each problem names its line and column.
    """
    quick = _checked(load_document(path, marks=False))
    if not quick.problems:
        return quick
    return _checked(load_document(path))


def _checks(document: Document) -> list[Problem]:
    problems = case_study_check().problems(document, placeholders=document.mentions(PLACEHOLDER))
    return [*problems, *file_problems(document, dt.date.today())]


def _checked(document: Document) -> _Checked:
    problems = list(document.problems)
    if document.ok:
        problems.extend(_checks(document))
    elif document.recovered is not None:  # the rest of a file with a syntax error (issue 21)
        seen = {(problem.line, problem.column) for problem in problems}
        problems.extend(
            recovered_problem(problem, document.recovered_past)
            for problem in [*document.recovered.problems, *_checks(document.recovered)]
            if (problem.line, problem.column) not in seen
            and not any(
                problem.message.startswith(f"missing required field '{key}'")
                for key in document.left_out
            )
        )
        document.recovered = None
    document.value_marks = {
        path: mark for path, mark in document.value_marks.items() if path[:1] in _CROSS_FILE
    }
    document.key_marks = {}
    return _Checked(document, problems)
