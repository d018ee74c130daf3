#!/usr/bin/python3
"""Compiles every C++ snippet of the documentation against the library's headers.

  check_snippets.py --cxx C++ [--options O1|O2..] [--defines D1|D2..] [--include-dirs I1|I2..]
                    --work-dir DIR ROOT          check README.md and docs/*.md under ROOT
  check_snippets.py --extract NAME --output FILE MARKDOWN...
                                                 write the `program NAME` snippet to FILE

Every ```cpp block of README.md and docs/*.md is compiled with -fsyntax-only and the
library's own flags and include directories (ctest: docs_snippets, label docs). Errors are
reported at the snippet's own file and line (the generated sources carry #line directives),
and the check fails if any snippet does not compile.

What a block is, is said by an HTML comment (invisible on GitHub) on the line right above
its opening fence:

  (no comment)                      a whole translation unit, compiled as it is
  <!-- snippet: program NAME -->    the same, and `--extract NAME` writes it out so that
                                    CMake can build and run it (the README's quick start)
  <!-- snippet: coroutine VARS -->  statements in the body of a coroutine
                                    (`asio::awaitable<void>`, so co_await works)
  <!-- snippet: function VARS -->   statements in the body of a plain function
  <!-- snippet: declarations -->    declarations at namespace scope

Fragments (the last three) are compiled after this prelude: <h2ws/h2ws.hpp>, the Asio
headers for co_spawn, io_context, use_awaitable, use_future, as_tuple, ssl::context,
steady_timer and the awaitable operators,
<openssl/ssl.h>, <chrono>, <iostream>, <memory>, <string>; `namespace asio = boost::asio;`
and `using namespace std::chrono_literals;`. VARS names what the snippet takes as given,
from this list (anything else is an error):

  ex    asio::any_io_executor ex        opts  h2ws::options opts
  conn  h2ws::connection conn           ws    h2ws::websocket ws

Unused variables are not warned about in fragments; every other warning of the library's
flags (-Wall -Wextra -Werror) applies.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

VARIABLES = {
    "ex": "asio::any_io_executor ex",
    "opts": "h2ws::options opts",
    "conn": "h2ws::connection conn",
    "ws": "h2ws::websocket ws",
}

PRELUDE = """\
#include <h2ws/h2ws.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <openssl/ssl.h>

namespace asio = boost::asio;
using namespace std::chrono_literals;
"""

FRAGMENT_WARNINGS = ["-Wno-unused-variable", "-Wno-unused-but-set-variable",
                     "-Wno-unused-parameter"]

MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(.*?)\s*-->\s*$")


class Snippet:
    def __init__(self, path, shown_path, fence_line, marker_line, marker, lines):
        self.path = path
        self.shown_path = shown_path  # as reported: relative to the root
        self.fence_line = fence_line  # 1-based line of the opening fence
        self.marker_line = marker_line
        self.lines = lines
        words = marker.split() if marker is not None else []
        self.kind = words[0] if words else "unit"
        self.args = words[1:]

    @property
    def where(self):
        return f"{self.shown_path}:{self.fence_line + 1}"

    def problem(self):
        """A malformed marker, or None."""
        where = f"{self.shown_path}:{self.marker_line}"
        if self.kind in ("unit", "declarations") and self.args:
            return f"{where}: '{self.kind}' takes no arguments"
        if self.kind == "program" and len(self.args) != 1:
            return f"{where}: 'program' takes one name"
        if self.kind in ("coroutine", "function"):
            unknown = [a for a in self.args if a not in VARIABLES]
            if unknown:
                return (f"{where}: unknown variable(s) {', '.join(unknown)}; known: "
                        f"{', '.join(VARIABLES)}")
        elif self.kind not in ("unit", "program", "declarations"):
            return (f"{where}: unknown snippet kind '{self.kind}' (unit, program, coroutine, "
                    f"function, declarations)")
        return None

    def body(self):
        """The snippet's lines, attributed to their place in the markdown file."""
        return f'#line {self.fence_line + 1} "{self.shown_path}"\n' + "".join(self.lines)


def find_snippets(path, shown_path):
    with open(path, encoding="utf-8") as f:
        text = f.readlines()
    snippets = []
    i = 0
    while i < len(text):
        fence = re.match(r"^(\s*)(`{3,}|~{3,})\s*(\S*)", text[i])
        if not fence:
            i += 1
            continue
        indent, ticks, lang = fence.groups()
        end = i + 1
        while end < len(text) and not re.match(r"^\s*" + re.escape(ticks) + r"\s*$", text[end]):
            end += 1
        if lang.lower() in ("cpp", "c++", "cxx"):
            marker = marker_line = None
            if i > 0:
                m = MARKER.match(text[i - 1])
                if m:
                    marker, marker_line = m.group(1), i
            lines = [line[len(indent):] if line.startswith(indent) else line
                     for line in text[i + 1:end]]
            snippets.append(Snippet(path, shown_path, i + 1, marker_line, marker, lines))
        i = end + 1
    return snippets


def wrap_fragments(fragments):
    out = [PRELUDE]
    for n, s in enumerate(fragments):
        params = ", ".join(VARIABLES[a] for a in s.args)
        out.append(f'#line 1 "<wrapper of {s.where}>"\n')
        if s.kind == "coroutine":
            out.append(f"[[maybe_unused]] asio::awaitable<void> snippet_{n}({params}) {{\n")
        elif s.kind == "function":
            out.append(f"[[maybe_unused]] void snippet_{n}({params}) {{\n")
        else:
            out.append(f"namespace snippet_{n} {{\n")
        out.append(s.body())
        out.append(f'#line 2 "<wrapper of {s.where}>"\n')
        if s.kind == "coroutine":
            out.append("  co_return;\n")
        out.append("}\n")
    return "".join(out)


def compile_source(args, source_path, extra):
    command = [args.cxx, "-std=c++20", "-fsyntax-only", *split(args.options), *extra,
               *[f"-D{d}" for d in split(args.defines)],
               *[f"-I{d}" for d in split(args.include_dirs)], source_path]
    r = subprocess.run(command, capture_output=True, text=True, timeout=600)
    return r.returncode, r.stderr


def split(value):
    return [v for v in (value or "").split("|") if v]


def check(args):
    root = os.path.abspath(args.root)
    files = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    snippets = []
    for path in files:
        if os.path.exists(path):
            snippets += find_snippets(path, os.path.relpath(path, root))
    if not snippets:
        print(f"no ```cpp blocks found under {root}", file=sys.stderr)
        return 1
    problems = [p for p in (s.problem() for s in snippets) if p]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1

    os.makedirs(args.work_dir, exist_ok=True)
    # Wrapped sources say where the snippet came from; the compiler reports those lines.
    os.chdir(root)
    jobs = []  # (description, source, extra flags, kind)
    fragments = [s for s in snippets if s.kind in ("coroutine", "function", "declarations")]
    if fragments:
        source = os.path.join(args.work_dir, "fragments.cpp")
        with open(source, "w", encoding="utf-8") as f:
            f.write(wrap_fragments(fragments))
        jobs.append((", ".join(s.where for s in fragments), source, FRAGMENT_WARNINGS, "fragment"))
    for n, s in enumerate(s for s in snippets if s.kind in ("unit", "program")):
        source = os.path.join(args.work_dir, f"unit_{n}.cpp")
        with open(source, "w", encoding="utf-8") as f:
            f.write(s.body())
        jobs.append((s.where, source, [], s.kind))

    failed = 0
    for what, source, extra, kind in jobs:
        status, errors = compile_source(args, source, extra)
        if status:
            failed += 1
            # The first lines that point into a markdown file name the broken snippet(s).
            broken = sorted(set(re.findall(r"^((?:README|docs/)[^:\n]*\.md:\d+):", errors, re.M)))
            print(f"FAIL {what}", file=sys.stderr)
            for b in broken:
                print(f"  broken snippet line: {b}", file=sys.stderr)
            if not broken:
                print("  (no line in a snippet: a missing include or a marker that does not fit?)",
                      file=sys.stderr)
            if kind == "unit":
                print("  (compiled as a whole translation unit; if it is a fragment, mark it,\n"
                      "  e.g. <!-- snippet: coroutine ex opts -->: see tests/docs/check_snippets.py)",
                      file=sys.stderr)
            print(errors, file=sys.stderr)
        else:
            print(f"ok   {what}")
    kinds = {}
    for s in snippets:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(f"{len(snippets)} snippets ({summary}) in {len(files)} files; "
          f"{failed} of {len(jobs)} compilations failed")
    return 1 if failed else 0


def extract(args):
    for path in args.markdown:
        # Absolute: the build reports errors at the markdown file's own lines.
        for s in find_snippets(path, os.path.abspath(path)):
            if s.kind == "program" and s.args == [args.extract]:
                text = s.body()
                # Only rewrite when it changed, so the build does not redo the program.
                old = None
                if os.path.exists(args.output):
                    with open(args.output, encoding="utf-8") as f:
                        old = f.read()
                if old != text:
                    with open(args.output, "w", encoding="utf-8") as f:
                        f.write(text)
                return 0
    print(f"no snippet marked '<!-- snippet: program {args.extract} -->' in "
          f"{', '.join(args.markdown)}", file=sys.stderr)
    return 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cxx")
    p.add_argument("--options", help="compiler options, separated by |")
    p.add_argument("--defines", help="preprocessor definitions, separated by |")
    p.add_argument("--include-dirs", help="include directories, separated by |")
    p.add_argument("--work-dir")
    p.add_argument("--extract", metavar="NAME")
    p.add_argument("--output")
    p.add_argument("paths", nargs="+", help="ROOT, or with --extract the markdown files")
    args = p.parse_args()
    if args.extract:
        if not args.output:
            p.error("--extract needs --output")
        args.markdown = args.paths
        return extract(args)
    if not args.cxx or not args.work_dir or len(args.paths) != 1:
        p.error("checking needs --cxx, --work-dir and one ROOT")
    args.root = args.paths[0]
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
