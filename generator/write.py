"""Write the generated tree: only files whose bytes changed are rewritten.

The builder's own change detection (MkDocs --dirty) and the browser's live reload both key on
modification times, so an unchanged page must keep its old file.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RenderReport:
    """What rendering did to the generated tree."""

    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    removed: list[Path] = field(default_factory=list)


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write content to path unless it already holds exactly that; return whether it wrote."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def sync_tree(root: Path, files: Mapping[str, str | bytes], report: RenderReport) -> None:
    """Make the folder hold exactly these files (text is written as UTF-8), rewriting only
    what changed. Text is encoded one file at a time: 10,000 pages held twice cost a gigabyte."""
    write_files(root, files, report)
    remove_stale(root, files.keys(), report)


def write_files(root: Path, files: Mapping[str, str | bytes], report: RenderReport) -> None:
    """Write these files under root, rewriting only what changed; leave other files alone."""
    for relative, data in files.items():
        if write_if_changed(root / relative, data):
            report.written.append(root / relative)
        else:
            report.unchanged += 1


def remove_stale(root: Path, keep: Collection[str], report: RenderReport) -> None:
    """Delete every file under root whose relative path is not in keep, then empty folders.

    With write_files (or files written elsewhere, e.g. by render workers), this is sync_tree
    for a tree whose files were never all in memory at once: keep needs only their paths.
    """
    if root.is_dir():
        for path in sorted(root.rglob("*"), reverse=True):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and relative not in keep:
                path.unlink()
                report.removed.append(path)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
