#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validates the newest benchmark_*.json of a directory against the runner's JSON Schema.

Usage: validate_results.py SCHEMA RESULTS_DIR. Exit 0 when valid, 1 with the reason otherwise.
Uses Debian's python3-jsonschema (a complete Draft 2020-12 validator)."""
import json
import pathlib
import sys

import jsonschema


def main() -> int:
    schema = json.loads(pathlib.Path(sys.argv[1]).read_text())
    results = sorted(pathlib.Path(sys.argv[2]).glob("benchmark_*.json"))
    if not results:
        print(f"no benchmark_*.json in {sys.argv[2]}")
        return 1
    newest = results[-1]
    try:
        jsonschema.Draft202012Validator(schema).validate(json.loads(newest.read_text()))
    except jsonschema.ValidationError as e:
        print(f"{newest}: {e.message} at {list(e.absolute_path)}")
        return 1
    print(f"{newest}: valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
