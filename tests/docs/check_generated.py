#!/usr/bin/python3
"""Fails when a committed generated file differs from what the build generated now:

  check_generated.py GENERATED COMMITTED HOW-TO-REGENERATE

prints a unified diff (committed -> generated) and how to regenerate.
"""
import difflib
import sys


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    generated, committed, how = sys.argv[1:]
    try:
        with open(generated, encoding="utf-8") as f:
            new = f.readlines()
    except OSError as e:
        print(f"{generated} was not generated ({e.strerror}): did its generator run?",
              file=sys.stderr)
        return 1
    try:
        with open(committed, encoding="utf-8") as f:
            old = f.readlines()
    except OSError:
        old = []
    if new == old:
        print(f"{committed} is up to date")
        return 0
    diff = list(difflib.unified_diff(old, new, committed, generated))
    sys.stderr.writelines(diff[:200])
    if len(diff) > 200:
        print(f"... ({len(diff) - 200} more diff lines)", file=sys.stderr)
    print(f"\n{committed} is out of date: {how}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
