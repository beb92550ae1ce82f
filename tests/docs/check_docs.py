#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the fenced code blocks of README.md and docs/*.md against the code.

Run by ctest (tests/docs/CMakeLists.txt), one check per test:

  --check cpp    every ```cpp block compiles (-fsyntax-only) against the public headers only:
                 the include directories a consumer of auralis::auralis gets, never src/internal.
  --check json   every ```json block parses as one JSON value, or as JSON Lines (one value per
                 line) when it is tagged ```jsonl or its first line is a JSON value of its own.
  --check shell  every command line of a ```sh, ```bash, ```shell, ```console or ```yaml block
                 that runs one of our programs uses only options that the program's --help
                 lists.
  --check cli    every --option mentioned anywhere in docs/cli.md is listed by the --help of
                 the program whose section mentions it (both programs in a section about both).

Conventions for authors of C++ blocks (an HTML comment on the line before the opening fence;
several may be combined in one comment, separated by ';'):

  <!-- prelude: NAME[, NAME...] -->  the block uses free variables or functions that
                                     tests/docs/preludes/NAME.hpp declares.
  <!-- scope: file -->               the block is a whole translation unit (declarations at file
                                     scope); blocks containing `int main(` are detected as such.

Otherwise a C++ block is a fragment: its #include lines are kept at file scope and the rest
becomes the body of a function. A block without #include lines gets
`#include <auralis/auralis.hpp>` (the umbrella header). Each block is compiled as its own
translation unit, with #line directives so that compiler messages name the document and line.

Only Python 3's standard library is used (runs under Debian's /usr/bin/python3).
"""

import argparse
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

SHELL_LANGUAGES = {"sh", "bash", "shell", "console", "yaml", "yml"}
CPP_LANGUAGES = {"cpp", "c++", "cxx"}
JSON_LANGUAGES = {"json", "jsonl"}
MARKER = re.compile(r"<!--\s*(.*?)\s*-->")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


class Block:
    """One fenced code block: its document, the line of its first content line, language."""

    def __init__(self, path, line, language, text, markers):
        self.path = path          # relative to the source directory
        self.line = line          # 1-based line of the first content line
        self.language = language  # lower case; "" when the fence names none
        self.text = text
        self.markers = markers    # dict parsed from the HTML comment before the fence

    def where(self, offset=0):
        return "%s:%d" % (self.path, self.line + offset)


def parse_markers(comment):
    markers = {}
    for item in comment.split(";"):
        if ":" in item:
            key, value = item.split(":", 1)
            markers[key.strip().lower()] = value.strip()
    return markers


def extract_blocks(source_dir, rel_path):
    with open(os.path.join(source_dir, rel_path), encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m.group("indent"), m.group("fence")
        language = m.group("info").strip().split(" ")[0].lower() if m.group("info").strip() else ""
        markers = {}
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        if j >= 0:
            c = MARKER.fullmatch(lines[j].strip())
            if c:
                markers = parse_markers(c.group(1))
        body = []
        k = i + 1
        closing = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{%d,}[ \t]*$" % len(fence))
        while k < len(lines) and not closing.match(lines[k]):
            line = lines[k]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            k += 1
        if k == len(lines):
            raise SystemExit("%s:%d: unterminated code fence" % (rel_path, i + 1))
        blocks.append(Block(rel_path, i + 2, language, "\n".join(body), markers))
        i = k + 1
    return blocks


def documents(source_dir):
    paths = ["README.md"] + sorted(
        os.path.relpath(p, source_dir) for p in glob.glob(os.path.join(source_dir, "docs", "*.md")))
    return [p for p in paths if os.path.exists(os.path.join(source_dir, p))]


# ----------------------------------------------------------------------------------------- C++

def translation_unit(block, prelude_dir):
    """The C++ translation unit of `block`, with #line directives pointing into the document."""
    doc = block.path.replace("\\", "/")
    text = block.text.split("\n")
    includes = [(n, t) for n, t in enumerate(text) if t.lstrip().startswith("#include")]
    file_scope = (block.markers.get("scope") == "file" or
                  any(re.match(r"\s*int\s+main\s*\(", t) for t in text))
    out = ["// Generated by tests/docs/check_docs.py from %s:%d" % (doc, block.line)]
    if not includes:
        out.append("#include <auralis/auralis.hpp>")
    for n, t in includes:
        out.append('#line %d "%s"' % (block.line + n, doc))
        out.append(t)
    preludes = [p.strip() for p in block.markers.get("prelude", "").split(",") if p.strip()]
    for name in preludes:
        path = os.path.join(prelude_dir, name + ".hpp")
        if not os.path.exists(path):
            return None, "names the prelude '%s', but %s does not exist" % (name, path)
        out.append('#include "%s"' % os.path.abspath(path))
    include_lines = {n for n, _ in includes}
    if not file_scope:
        out.append("void auralis_doc_block_%d() {" % block.line)
    out.append('#line %d "%s"' % (block.line, doc))
    for n, t in enumerate(text):
        out.append("" if n in include_lines else t)
    if not file_scope:
        out.append("}")
    return "\n".join(out) + "\n", None


def check_cpp(blocks, args):
    cxx_blocks = [b for b in blocks if b.language in CPP_LANGUAGES]
    implicit = {os.path.normpath(d) for d in args.implicit_include_dirs.split(";") if d}
    include_dirs = [d for d in args.include_dirs.split(";")
                    if d and os.path.normpath(d) not in implicit]
    defines = [d for d in args.defines.split(";") if d]
    for d in include_dirs:
        if os.path.normpath(d).replace("\\", "/").endswith("src/internal"):
            return ["the include directories contain %s: C++ blocks must compile against the "
                    "public headers only" % d]
    command = [args.cxx, "-std=c++20", "-fsyntax-only"]
    command += ["-I" + d for d in include_dirs] + ["-D" + d for d in defines]
    command += args.cxx_flag or []
    failures = []
    os.makedirs(args.work_dir, exist_ok=True)
    jobs = []  # (block, translation unit path, name)
    for block in cxx_blocks:
        unknown = sorted(k for k in block.markers if k not in ("prelude", "scope"))
        if unknown or block.markers.get("scope", "file") != "file":
            failures.append("%s: C++ block: unknown marker %s (known: prelude: NAME, scope: file)"
                            % (block.where(), ", ".join(unknown) or "scope: " +
                               block.markers["scope"]))
            continue
        tu, error = translation_unit(block, args.prelude_dir)
        if error:
            failures.append("%s: C++ block %s" % (block.where(), error))
            continue
        name = "%s_%d.cpp" % (re.sub(r"[^A-Za-z0-9]+", "_", block.path), block.line)
        path = os.path.join(args.work_dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(tu)
        jobs.append((block, path, name))
    # One compiler process per block, at most args.jobs at a time.
    running = []
    pending = list(jobs)
    while pending or running:
        while pending and len(running) < max(1, args.jobs):
            block, path, name = pending.pop(0)
            process = subprocess.Popen(command + [path], cwd=args.source_dir,
                                       stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, universal_newlines=True)
            running.append((block, path, name, process))
        block, path, name, process = running.pop(0)
        output = process.communicate()[0]
        status = "ok" if process.returncode == 0 else "FAILED"
        print("%-28s C++ block: %s (%s)" % (block.where(), status, name))
        if process.returncode != 0:
            failures.append("%s: C++ block does not compile against the public headers "
                            "(translation unit %s):\n%s" % (block.where(), path, output.rstrip()))
    print("%d C++ blocks compiled with: %s" % (len(cxx_blocks), " ".join(command)))
    return failures


# ---------------------------------------------------------------------------------------- JSON

def parses(text):
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def check_json(blocks, _args):
    failures = []
    count = 0
    for block in blocks:
        if block.language not in JSON_LANGUAGES:
            continue
        count += 1
        try:
            json.loads(block.text)
            continue
        except ValueError as whole_error:
            first_error = whole_error
        # JSON Lines: every non-empty line is one JSON value.
        lines = block.text.split("\n")
        nonempty = [t for t in lines if t.strip()]
        if block.language == "jsonl" or (len(nonempty) > 1 and parses(nonempty[0])):
            bad = []
            for n, t in enumerate(lines):
                if not t.strip():
                    continue
                try:
                    json.loads(t)
                except ValueError as e:
                    bad.append("%s: JSON Lines block: line does not parse: %s"
                               % (block.where(n), e))
            if not bad:
                continue
        else:
            bad = ["%s: JSON block does not parse: %s"
                   % (block.where(first_error.lineno - 1), first_error.msg)]
        failures += bad
    print("%d JSON blocks checked" % count)
    return failures


# -------------------------------------------------------------------------------------- programs

def help_options(program_path):
    """Every option that `program --help` lists (CLI11 and Google Benchmark formats)."""
    if not os.access(program_path, os.X_OK):
        raise SystemExit("%s does not exist or is not executable: build the programs first "
                         "(cmake --build)" % program_path)
    result = subprocess.run([program_path, "--help"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True)
    if result.returncode != 0:
        raise SystemExit("%s --help exited with %d:\n%s"
                         % (program_path, result.returncode, result.stdout))
    options = set()
    for line in result.stdout.split("\n"):
        m = re.match(r"^\s+(-[\w-]+(?:,\s*-[\w-]+)*)", line)  # CLI11: "  -h,--help   ..."
        if m:
            options.update(o.strip() for o in m.group(1).split(","))
        options.update(re.findall(r"\[(--?[\w-]+)", line))  # Google Benchmark: "[--benchmark_x="
    if not options:
        raise SystemExit("%s --help lists no options:\n%s" % (program_path, result.stdout))
    return options


def parse_programs(specs):
    programs = {}
    for spec in specs or []:
        name, _, path = spec.partition("=")
        if name and path:
            programs[name] = path
    return programs


SHELL_OPERATORS = {"|", "||", "&", "&&", ";", ";;", "(", ")", "<", ">", ">>", "<<", ">&", "<&",
                   "|&", "2>", "2>&1"}


def command_lines(block):
    """(line offset, text) of each command in a shell-like block, continuations joined."""
    lines = block.text.split("\n")
    console = block.language == "console"
    commands = []
    n = 0
    while n < len(lines):
        start, text = n, lines[n]
        if console:
            if not text.startswith("$ "):
                n += 1
                continue
            text = text[2:]
        while text.rstrip().endswith("\\") and n + 1 < len(lines):
            n += 1
            text = text.rstrip()[:-1] + " " + lines[n].strip()
        commands.append((start, text))
        n += 1
    return commands


def invocations(text, names):
    """(program, [arguments]) for each call of a program in `names` in one shell line."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:
        tokens = text.split()
    found = []
    i = 0
    while i < len(tokens):
        word = os.path.basename(tokens[i])
        if word in names:
            j = i + 1
            while j < len(tokens) and tokens[j] not in SHELL_OPERATORS:
                j += 1
            found.append((word, tokens[i + 1:j]))
            i = j
        else:
            i += 1
    return found


def options_used(arguments):
    used = []
    for a in arguments:
        if a == "--" or a == "-":
            break
        if re.match(r"^--?[A-Za-z][\w-]*(=.*)?$", a):
            used.append(a.split("=", 1)[0])
    return used


def check_shell(blocks, args):
    programs = parse_programs(args.program)
    names = set(programs) | set(args.known_program or [])
    helps = {name: help_options(path) for name, path in programs.items()}
    failures = []
    checked = 0
    unchecked = {}
    for block in blocks:
        if block.language not in SHELL_LANGUAGES:
            continue
        for offset, text in command_lines(block):
            for program, arguments in invocations(text, names):
                if program not in helps:
                    unchecked[program] = unchecked.get(program, 0) + 1
                    continue
                checked += 1
                for option in options_used(arguments):
                    if option not in helps[program]:
                        failures.append("%s: `%s %s`: %s --help does not list %s"
                                        % (block.where(offset), program, " ".join(arguments),
                                           program, option))
    print("%d command lines running %s checked against --help"
          % (checked, ", ".join(sorted(programs)) or "no program"))
    for program, count in sorted(unchecked.items()):
        print("note: %d command line(s) running %s not checked: the program is not built in this "
              "configuration" % (count, program))
    return failures


CLI_PROGRAMS = ("auralis-analyze", "auralis-batch")  # the programs docs/cli.md documents


def option_mentions(line, in_code_block):
    """(option, command) for each --option in one line of Markdown; command is the program a
    code span or command line runs it with (None when the span names no command)."""
    if in_code_block:
        spans, prose = [line], ""
    else:
        spans = re.findall(r"`([^`]*)`", line)
        prose = re.sub(r"`[^`]*`", " ", line)
    mentions = [(o, None) for o in re.findall(r"(?<![\w-])(--[A-Za-z][\w-]*)", prose)]
    for span in spans:
        lexer = shlex.shlex(span, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            tokens = list(lexer)
        except ValueError:
            tokens = span.split()
        command = None
        for token in tokens:
            if token in SHELL_OPERATORS:
                command = None
            elif re.search(r"(?<![\w-])--[A-Za-z]", token):
                mentions += [(o, command)
                             for o in re.findall(r"(?<![\w-])(--[A-Za-z][\w-]*)", token)]
            elif command is None and re.match(r"^[A-Za-z0-9_./~]", token):
                command = os.path.basename(token)
    return mentions


def check_cli(blocks, args):
    """Every --option mentioned in docs/cli.md, against the program(s) of its section."""
    programs = {n: p for n, p in parse_programs(args.program).items() if n in CLI_PROGRAMS}
    if not programs:
        print("auralis-analyze and auralis-batch are not built in this configuration")
        return None
    helps = {name: help_options(path) for name, path in programs.items()}
    path = os.path.join(args.source_dir, "docs", "cli.md")
    failures = []
    mentions = 0
    foreign = set()
    section = set(programs)
    in_code_block = False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if FENCE.match(line.rstrip("\n")):
                in_code_block = not in_code_block
                continue
            heading = None if in_code_block else re.match(r"^(#{1,3})\s+(.*)", line)
            if heading:
                named = {p for p in programs if p in heading.group(2)}
                if named:
                    section = named
                elif heading.group(1) == "##":
                    section = set(programs)  # "Analysis options (both programs)", etc.
                continue
            for option, command in option_mentions(line.rstrip("\n"), in_code_block):
                if command is not None and command not in CLI_PROGRAMS:
                    foreign.add("%s %s" % (command, option))  # e.g. `cmake --install`
                    continue
                owners = {command} & set(programs) if command else section
                mentions += 1
                missing = sorted(p for p in owners if option not in helps[p])
                if missing:
                    failures.append("docs/cli.md:%d: %s is not listed by the --help of %s"
                                    % (n, option, ", ".join(missing)))
    print("%d option mentions in docs/cli.md checked against the --help of %s"
          % (mentions, ", ".join(sorted(programs))))
    if foreign:
        print("not ours, not checked: %s" % ", ".join(sorted(foreign)))
    return failures


# ------------------------------------------------------------------------------------------ main

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", required=True, choices=["cpp", "json", "shell", "cli"])
    parser.add_argument("--source-dir", default=os.path.dirname(os.path.dirname(here)))
    parser.add_argument("--cxx", default="c++")
    parser.add_argument("--include-dirs", default="", help="';'-separated")
    parser.add_argument("--defines", default="", help="';'-separated")
    parser.add_argument("--implicit-include-dirs", default="",
                        help="';'-separated directories the compiler searches anyway (dropped)")
    parser.add_argument("--cxx-flag", action="append", help="an extra compiler flag")
    parser.add_argument("--jobs", type=int, default=2, help="compiler processes at a time")
    parser.add_argument("--prelude-dir", default=os.path.join(here, "preludes"))
    parser.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "auralis-docs"))
    parser.add_argument("--program", action="append", help="NAME=PATH of a built program")
    parser.add_argument("--known-program", action="append",
                        help="a program name whose invocations are reported as unchecked when "
                             "it is not given with --program")
    parser.add_argument("--skip-code", type=int, default=77)
    parser.add_argument("empty", nargs="*", help=argparse.SUPPRESS)  # "" from CMake genexes
    args = parser.parse_args()
    if any(args.empty):
        parser.error("unexpected arguments: %s" % " ".join(a for a in args.empty if a))

    blocks = []
    for rel in documents(args.source_dir):
        blocks += extract_blocks(args.source_dir, rel)
    check = {"cpp": check_cpp, "json": check_json, "shell": check_shell, "cli": check_cli}
    failures = check[args.check](blocks, args)
    if failures is None:
        return args.skip_code
    if failures:
        print("\n%d failure(s):" % len(failures), file=sys.stderr)
        for f in failures:
            print(f, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
