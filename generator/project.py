"""Where the project is: found the same way by every command, named in the same words when not.

A command run in a folder that holds no knowledge base says so, with what it looked for; it
never writes case_studies/ into a random folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.output import relative
from generator.paths import ProjectPaths, collect_files, find_project_root
from generator.problems import UsageError


def no_project_message(where: Path, alternative: str = "") -> str:
    """Return what every command says when run outside a project folder."""
    return (
        "no knowledge-base project here (looked for case_studies/ or mkdocs.yml in "
        f"{where} and its parents); run cwb inside the project's folder{alternative}"
    )


def project(args: argparse.Namespace, *, alternative: str = "") -> ProjectPaths:
    """Return the project around the working folder; raise UsageError when there is none."""
    root = find_project_root(Path.cwd())
    if root is None:
        raise UsageError(no_project_message(Path.cwd(), alternative))
    return ProjectPaths.at(
        root,
        case_studies=getattr(args, "case_studies", None),
        site=getattr(args, "site_dir", None),
    )


def configured_project(args: argparse.Namespace) -> ProjectPaths:
    """Return the project, which must have its case studies and mkdocs.yml (build, serve)."""
    paths = project(args)
    if not paths.mkdocs_config.is_file():
        raise UsageError(
            f"no mkdocs.yml in {paths.root}: the site needs its configuration; "
            "run cwb inside a full checkout of the knowledge base"
        )
    if not paths.case_studies.is_dir():
        raise UsageError(f"no such folder: {relative(paths.case_studies)}")
    return paths


def case_study_files(args: argparse.Namespace, command: str) -> list[Path]:
    """Return the YAML files named on the command line, or the project's case studies."""
    paths: list[Path] = args.paths
    if not paths:
        alternative = f", or name the files: cwb {command} PATH ..."
        paths = [project(args, alternative=alternative).case_studies]
    missing = [path for path in paths if not path.exists() and not path.is_symlink()]
    if missing:
        raise UsageError(
            "\n".join(
                f"no such file or folder: {path if path in args.paths else relative(path)}"
                for path in missing
            )
        )
    files = collect_files(paths)
    if not files:
        raise UsageError(f"no .yaml files in {', '.join(map(relative, paths))}")
    return files
