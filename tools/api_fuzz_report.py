#!/usr/bin/env python3
"""Summarise a schemathesis run (its console log) as bench/API_FUZZ.md."""

import datetime
import os
import re
import sys
from pathlib import Path


def main(log_path: str, examples: str) -> int:
    log = Path(log_path).read_text(encoding="utf-8", errors="replace")
    log = re.sub(r"\x1b\[[0-9;]*m", "", log)
    version = re.search(r"Schemathesis v([0-9.]+)", log)
    operations = re.search(r"Operations:\s+(\d+) selected / (\d+) total", log)
    tested = re.search(r"Tested:\s+(\d+)", log)
    cases = re.search(r"Test cases:\s*\n\s*(.+)", log)
    phases = re.findall(r"^\s*([✅❌⏭🚫])\s+(Examples|Coverage|Fuzzing|Stateful)", log, re.M)
    failures = re.search(r"(\d+) failures?\b", log)
    duration = re.search(r"=+ .* in ([0-9.]+s) =+", log)
    phases = list(dict(((phase, mark) for mark, phase in phases)).items())
    print("# schemathesis against the live API")
    print()
    print(f"Run {datetime.date.today().isoformat()} by `tools/api_fuzz.sh` (in `.ci/run`).")
    print()
    print("| what | figure |")
    print("| --- | --- |")
    print(f"| schemathesis | {version.group(1) if version else '?'} |")
    database = os.environ.get("DATABASE_URL", "sqlite").split(":", 1)[0]
    print(f"| database | {database} |")
    print("| checks | all |")
    print(f"| max examples per operation | {examples} |")
    if operations:
        print(f"| operations | {operations.group(1)} of {operations.group(2)} |")
    if tested:
        print(f"| operations tested | {tested.group(1)} |")
    print(f"| test cases | {cases.group(1).strip() if cases else '?'} |")
    print(f"| failures | {failures.group(1) if failures else 0} |")
    print(f"| duration | {duration.group(1) if duration else '?'} |")
    for phase, mark in phases:
        print(f"| phase {phase} | {mark} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
