#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts the public C++ surface of a set of installed headers, by namespace.

Every header (.h .hh .hpp .hxx .inl .ipp) under the given include directories is included,
in sorted order, into one C++20 translation unit parsed by libclang (Debian's python3-clang-14;
scripts/deps.sh test installs it) with -I for each include directory, -isystem
/usr/include/eigen3 and the extra -I/-D given. Declarations located in those headers are
counted once each (by USR), under the namespace they belong to:

  types      namespace-scope classes, structs, unions, enums, typedefs, type aliases, class
             templates, partial specializations and alias templates; `opaque` says how many
             of them are only declared (forward declarations) in the headers
  nested     public types declared inside a public class (same kinds), counted apart
  functions  namespace-scope functions and function templates, plus friend functions defined
             inside a class; every overload counts once
  methods    public member functions of public classes: constructors, destructor, operators,
             member function templates and inherited constructors (`using Base::Base`), each
             overload once; `= delete`d ones are left out (they are not callable)
  fields     public data members (static or not) of public classes
  variables  namespace-scope variables, constants (constexpr included) and variable templates
  macros     macros defined in the headers (include guards left out)
  other      any other namespace-scope declaration (using-declarations, namespace aliases,
             ...), listed by kind so that nothing is counted silently as nothing

The summary line also says how many of the counted functions and member functions have their
body in the headers (`= default` included): code a consumer compiles with its own flags.

Not counted: private and protected members, enumerators, template parameters, static_asserts,
explicit instantiations (`extern template`: they name no new entity) and declarations of the
standard library or other dependencies.

--check exits 1 when a declaration of the headers lies in namespace auralis::kernel (or
below), or when a header includes an auralis header that is not in the given include
directories (found elsewhere, e.g. in src/internal via --extra-include, or not found at all):
a guard against internals leaking back into the installed headers.

Usage: api_surface.py INCLUDE_DIR [INCLUDE_DIR...] [--extra-include DIR] [-D NAME[=VALUE]]
                      [--json] [--check] [--list[=NAMESPACE]]
  e.g. api_surface.py include build/include --list=auralis::detail (source tree + config.hpp)
       api_surface.py <prefix>/include --check                     (an install; run by ctest)
Exit status: 0 fine, 1 check failed, 2 usage, parse or environment error.
"""

import argparse
import json
import os
import re
import sys
from collections import defaultdict

try:
    import clang.cindex as ci
except ImportError:
    sys.exit("api_surface.py: the clang Python module is missing: install python3-clang-14 "
             "(scripts/deps.sh test) and run with /usr/bin/python3")

EIGEN_INCLUDE = "/usr/include/eigen3"
HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".inl", ".ipp")
FORBIDDEN_NAMESPACES = ("auralis::kernel",)
PROJECT_PREFIX = "auralis/"
GLOBAL = "(global)"
MACROS = "(macros)"
COLUMNS = ("types", "opaque", "nested", "functions", "methods", "fields", "variables",
           "other")

K = ci.CursorKind
TYPE_KINDS = {
    K.CLASS_DECL: "class", K.STRUCT_DECL: "struct", K.UNION_DECL: "union",
    K.ENUM_DECL: "enum", K.TYPEDEF_DECL: "typedef", K.TYPE_ALIAS_DECL: "type alias",
    K.CLASS_TEMPLATE: "class template",
    K.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION: "class template partial specialization",
    K.TYPE_ALIAS_TEMPLATE_DECL: "alias template",
}
RECORD_KINDS = {K.CLASS_DECL, K.STRUCT_DECL, K.UNION_DECL, K.CLASS_TEMPLATE,
                K.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION}
FUNCTION_KINDS = {K.FUNCTION_DECL: "function", K.FUNCTION_TEMPLATE: "function template"}
METHOD_KINDS = {
    K.CXX_METHOD: "member function", K.CONSTRUCTOR: "constructor",
    K.DESTRUCTOR: "destructor", K.CONVERSION_FUNCTION: "conversion function",
    K.FUNCTION_TEMPLATE: "member function template",
}
IGNORED_KINDS = {K.STATIC_ASSERT, K.CXX_ACCESS_SPEC_DECL, K.TEMPLATE_TYPE_PARAMETER,
                 K.TEMPLATE_NON_TYPE_PARAMETER, K.TEMPLATE_TEMPLATE_PARAMETER,
                 K.CXX_BASE_SPECIFIER, K.ENUM_CONSTANT_DECL, K.MACRO_INSTANTIATION}
GUARD_RE = re.compile(r".*_(H|HH|HPP|HXX)(_INCLUDED)?_*$")


def find_headers(include_dirs):
    """Sorted (relative path, real path) of every header under the include directories."""
    headers = {}
    for root in include_dirs:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(HEADER_SUFFIXES):
                    path = os.path.join(dirpath, name)
                    rel = os.path.relpath(path, root).replace(os.sep, "/")
                    headers.setdefault(rel, os.path.realpath(path))
    return sorted(headers.items())


class Surface:
    def __init__(self, headers):
        self.by_real = {real: rel for rel, real in headers}
        self.entities = {}  # key -> record
        self.forbidden = []  # declarations in a forbidden namespace
        self.leaks = []  # includes of auralis headers from outside the include directories
        self.templates = set()  # locations of variable templates

    def header_of(self, cursor):
        f = cursor.location.file
        return self.by_real.get(os.path.realpath(f.name)) if f else None

    def where(self, cursor):
        return f"{self.header_of(cursor)}:{cursor.location.line}"

    @staticmethod
    def namespace_of(cursor):
        parts = []
        p = cursor.semantic_parent
        while p is not None and p.kind != K.TRANSLATION_UNIT:
            if p.kind == K.NAMESPACE:
                parts.append(p.spelling or "(anonymous)")
            p = p.semantic_parent
        return "::".join(reversed(parts)) or GLOBAL

    @staticmethod
    def qualified_name(cursor):
        parts = [cursor.displayname or cursor.spelling]
        p = cursor.semantic_parent
        while p is not None and p.kind != K.TRANSLATION_UNIT:
            parts.append(p.spelling or "(anonymous)")
            p = p.semantic_parent
        return "::".join(reversed(parts))

    @staticmethod
    def code_tokens(cursor):
        return [t.spelling for t in cursor.get_tokens() if t.kind != ci.TokenKind.COMMENT]

    def is_explicit_instantiation(self, cursor):
        toks = self.code_tokens(cursor)[:3]
        return (toks[:2] == ["extern", "template"]
                or (toks[:1] == ["template"] and toks[1:2] != ["<"]))

    def is_deleted(self, cursor):
        toks = self.code_tokens(cursor)
        return any(a == "=" and b == "delete" for a, b in zip(toks, toks[1:]))

    def note_namespace(self, cursor, namespace):
        for bad in FORBIDDEN_NAMESPACES:
            if namespace == bad or namespace.startswith(bad + "::"):
                kind = cursor.kind.name.lower().replace("_", " ")
                self.forbidden.append(f"{self.where(cursor)}: {kind} "
                                      f"{self.qualified_name(cursor)} is in {bad}")

    def add(self, cursor, column, kind, namespace=None, name=None):
        namespace = namespace or self.namespace_of(cursor)
        self.note_namespace(cursor, namespace)
        canonical = cursor.canonical
        key = canonical.get_usr() or f"{kind}@{self.where(cursor)}@{cursor.displayname}"
        defined = cursor.is_definition()
        rec = self.entities.get(key)
        if rec is None:
            rec = self.entities[key] = {
                "namespace": namespace, "column": column, "kind": kind,
                "name": name or self.qualified_name(cursor), "where": self.where(cursor),
                "defined": defined,
            }
        elif defined and not rec["defined"]:
            rec["defined"] = True
            rec["where"] = self.where(cursor)
        return rec

    # Namespace scope -----------------------------------------------------------------------

    def walk_scope(self, cursor):
        for c in cursor.get_children():
            if c.kind == K.MACRO_DEFINITION:
                self.macro(c)
                continue
            if c.kind == K.INCLUSION_DIRECTIVE:
                self.inclusion(c)
                continue
            if self.header_of(c) is None or c.kind in IGNORED_KINDS:
                continue
            if c.kind == K.NAMESPACE:
                outer, name = self.namespace_of(c), c.spelling or "(anonymous)"
                self.note_namespace(c, name if outer == GLOBAL else f"{outer}::{name}")
                self.walk_scope(c)
            elif c.kind == K.LINKAGE_SPEC:
                self.walk_scope(c)
            elif c.kind == K.UNEXPOSED_DECL:
                self.unexposed(c)
            elif c.kind in TYPE_KINDS:
                if c.kind in RECORD_KINDS and self.is_explicit_instantiation(c):
                    continue
                self.add(c, "types", TYPE_KINDS[c.kind])
                if c.kind in RECORD_KINDS and c.is_definition():
                    self.walk_class(c)
            elif c.kind in METHOD_KINDS and c.semantic_parent.kind in RECORD_KINDS:
                # out-of-line definition of a member: counted with its class, once
                self.member_function(c)
            elif c.kind in FUNCTION_KINDS:
                self.add(c, "functions", FUNCTION_KINDS[c.kind])
            elif c.kind == K.VAR_DECL:
                if c.semantic_parent.kind in RECORD_KINDS:
                    if c.access_specifier == ci.AccessSpecifier.PUBLIC:
                        self.add(c, "fields", "static data member")
                else:
                    self.add(c, "variables", "variable")
            else:
                self.add(c, "other", c.kind.name.lower().replace("_", " "),
                         name=self.qualified_name(c) or " ".join(self.code_tokens(c)))

    def unexposed(self, c):
        # libclang 14 exposes variable templates and concepts as UNEXPOSED_DECL, and the
        # implicit instantiations of a variable template too (at the template's location)
        toks = self.code_tokens(c)
        head = toks[:toks.index("=")] if "=" in toks else toks
        where = (self.where(c), c.location.column)
        if toks[:1] == ["template"]:
            self.templates.add(where)
            self.add(c, "other" if "concept" in head else "variables",
                     "concept" if "concept" in head else "variable template")
        elif where in self.templates:
            return
        else:
            self.add(c, "other", "unexposed declaration",
                     name=self.qualified_name(c) or " ".join(toks[:8]))

    # Class scope ---------------------------------------------------------------------------

    def walk_class(self, cls):
        for c in cls.get_children():
            if c.kind in IGNORED_KINDS or self.header_of(c) is None:
                continue
            if c.kind == K.FRIEND_DECL:
                for f in c.get_children():
                    if f.kind in FUNCTION_KINDS and f.is_definition():
                        self.add(f, "functions", "friend " + FUNCTION_KINDS[f.kind])
                continue
            if c.access_specifier != ci.AccessSpecifier.PUBLIC:
                continue
            if c.kind in TYPE_KINDS:
                self.add(c, "nested", "nested " + TYPE_KINDS[c.kind])
                if c.kind in RECORD_KINDS and c.is_definition():
                    self.walk_class(c)
            elif c.kind in METHOD_KINDS:
                self.member_function(c)
            elif c.kind in (K.FIELD_DECL, K.VAR_DECL):
                self.add(c, "fields", "data member" if c.kind == K.FIELD_DECL
                         else "static data member")
            elif c.kind == K.USING_DECLARATION:
                self.add(c, "methods", "using-declaration",
                         name=self.qualified_name(c) + " (using "
                         + "".join(self.code_tokens(c)[1:]).rstrip(";") + ")")
            else:
                self.add(c, "other", "member " + c.kind.name.lower().replace("_", " "))

    def member_function(self, c):
        if c.access_specifier != ci.AccessSpecifier.PUBLIC or self.is_deleted(c):
            return
        # a member of a private nested class is no surface
        p = c.semantic_parent
        while p is not None and p.kind in RECORD_KINDS:
            if p.semantic_parent.kind in RECORD_KINDS and \
                    p.access_specifier != ci.AccessSpecifier.PUBLIC:
                return
            p = p.semantic_parent
        const = " const" if c.kind == K.CXX_METHOD and c.is_const_method() else ""
        self.add(c, "methods", METHOD_KINDS[c.kind], name=self.qualified_name(c) + const)

    # Preprocessor --------------------------------------------------------------------------

    def macro(self, c):
        header = self.header_of(c)
        if header is None:
            return
        toks = self.code_tokens(c)
        if len(toks) == 1 and GUARD_RE.match(c.spelling):
            return
        self.entities[f"macro@{c.spelling}"] = {
            "namespace": MACROS, "column": "macros", "kind": "macro", "name": c.spelling,
            "where": f"{header}:{c.location.line}", "defined": True,
        }

    def inclusion(self, c):
        header = self.header_of(c)
        if header is None:
            return
        try:
            real = os.path.realpath(c.get_included_file().name)
        except AssertionError:
            return  # not found: reported by the parse's diagnostics
        if real in self.by_real:
            return
        if c.spelling.startswith(PROJECT_PREFIX) or \
                f"/{PROJECT_PREFIX}" in real.replace(os.sep, "/"):
            self.leaks.append(f"{header}:{c.location.line}: includes <{c.spelling}>, which is "
                              f"not in the given include directories (found at {real})")


def parse(args, headers):
    source = "".join(f"#include <{rel}>\n" for rel, _ in headers)
    cargs = ["-x", "c++", "-std=c++20"]
    for d in args.include_dirs:
        cargs += ["-I", d]
    for d in args.extra_include:
        cargs += ["-I", d]
    cargs += ["-isystem", EIGEN_INCLUDE]
    cargs += [f"-D{d}" for d in args.define]
    index = ci.Index.create()
    # function bodies are parsed (not skipped) so that `defined` tells which bodies a consumer
    # compiles
    options = ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD
    return index.parse("api_surface_all_headers.cpp", args=cargs,
                       unsaved_files=[("api_surface_all_headers.cpp", source)], options=options)


def summarize(surface):
    table = defaultdict(lambda: defaultdict(int))
    for rec in surface.entities.values():
        table[rec["namespace"]][rec["column"]] += 1
        if rec["column"] == "types" and not rec["defined"]:
            table[rec["namespace"]]["opaque"] += 1
        if rec["column"] in ("functions", "methods") and rec["defined"]:
            table[rec["namespace"]]["bodies"] += 1
    totals = defaultdict(int)
    for row in table.values():
        for col, n in row.items():
            totals[col] += n
    return table, totals


def print_table(table, totals, headers, out):
    namespaces = sorted((ns for ns in table if ns != MACROS), key=lambda s: (s == GLOBAL, s))
    width = max([len(ns) for ns in namespaces] + [len("namespace"), len("total")])
    head = f"{'namespace':<{width}}" + "".join(f" {c:>9}" for c in COLUMNS)
    print(head, file=out)
    print("-" * len(head), file=out)
    for ns in namespaces:
        print(f"{ns:<{width}}" + "".join(f" {table[ns].get(c, 0):>9}" for c in COLUMNS),
              file=out)
    print("-" * len(head), file=out)
    print(f"{'total':<{width}}" + "".join(f" {totals.get(c, 0):>9}" for c in COLUMNS), file=out)
    print(f"\n{len(headers)} headers; types {totals.get('types', 0)} at namespace scope "
          f"({totals.get('opaque', 0)} only forward-declared) + {totals.get('nested', 0)} "
          f"nested; free functions {totals.get('functions', 0)} (each overload counted); "
          f"public member functions {totals.get('methods', 0)}; namespace-scope "
          f"variables/constants {totals.get('variables', 0)}; macros "
          f"{totals.get('macros', 0)}; {totals.get('bodies', 0)} of the functions and member "
          f"functions have their body in the headers (compiled with the consumer's flags)",
          file=out)
    if totals.get("other"):
        print("'other' declarations are listed by --list", file=out)


def print_list(surface, prefix, out):
    recs = [r for r in surface.entities.values()
            if prefix in ("", r["namespace"]) or r["namespace"].startswith(prefix + "::")]
    order = {c: i for i, c in enumerate(COLUMNS + ("macros",))}
    for r in sorted(recs, key=lambda r: (r["namespace"], order[r["column"]], r["name"])):
        note = ""
        if r["column"] in ("types", "nested") and not r["defined"]:
            note = " (forward declaration only)"
        elif r["column"] in ("functions", "methods") and r["defined"]:
            note = " (body in the header)"
        print(f"{r['namespace']:<16} {r['kind']:<26} {r['name']}{note}  [{r['where']}]",
              file=out)


def main():
    parser = argparse.ArgumentParser(
        description="Counts the public C++ surface of installed headers (see the file's "
                    "docstring for what is counted).")
    parser.add_argument("include_dirs", nargs="+", metavar="INCLUDE_DIR",
                        help="directory of installed headers; every header below it is counted")
    parser.add_argument("-I", "--extra-include", action="append", default=[], metavar="DIR",
                        help="extra include directory, searched but not counted")
    parser.add_argument("-D", "--define", action="append", default=[], metavar="NAME[=VALUE]",
                        help="preprocessor definition for the parse")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 on a declaration in auralis::kernel or an include of an "
                             "auralis header from outside the include directories")
    parser.add_argument("--list", nargs="?", const="", default=None, metavar="NAMESPACE",
                        help="also list the counted declarations (of NAMESPACE and below)")
    args = parser.parse_args()

    for d in args.include_dirs + args.extra_include:
        if not os.path.isdir(d):
            parser.error(f"not a directory: {d}")
    args.include_dirs = [os.path.abspath(d) for d in args.include_dirs]
    args.extra_include = [os.path.abspath(d) for d in args.extra_include]
    headers = find_headers(args.include_dirs)
    if not headers:
        parser.error("no headers under " + " ".join(args.include_dirs))

    try:
        tu = parse(args, headers)
    except ci.LibclangError as e:
        sys.exit(f"api_surface.py: libclang unavailable: {e}")
    surface = Surface(headers)
    surface.walk_scope(tu.cursor)

    errors, missing = [], []
    for d in tu.diagnostics:
        if d.severity < ci.Diagnostic.Error:
            continue
        f = d.location.file
        header = surface.by_real.get(os.path.realpath(f.name)) if f else None
        m = re.match(r"'([^']+)' file not found", d.spelling)
        if header and m and m.group(1).startswith(PROJECT_PREFIX):
            missing.append(f"{header}:{d.location.line}: includes <{m.group(1)}>, which is not "
                           "in the given include directories (not found)")
        else:
            errors.append(str(d))
    failures = surface.forbidden + surface.leaks + missing
    if args.check and failures:
        for f in failures:
            print(f"api_surface.py: check failed: {f}", file=sys.stderr)
        return 1
    if errors or missing:
        # the counts of a translation unit that does not compile would be wrong
        for e in errors + missing:
            print(f"api_surface.py: error: {e}", file=sys.stderr)
        print("api_surface.py: the headers do not parse cleanly; nothing counted",
              file=sys.stderr)
        return 2

    table, totals = summarize(surface)
    if args.json:
        json.dump({
            "include_dirs": args.include_dirs,
            "headers": [rel for rel, _ in headers],
            "namespaces": {ns: dict(sorted(row.items())) for ns, row in sorted(table.items())},
            "totals": dict(sorted(totals.items())),
            "declarations": sorted(surface.entities.values(),
                                   key=lambda r: (r["namespace"], r["column"], r["name"])),
            "check": {"forbidden_namespace": surface.forbidden, "includes": surface.leaks},
        }, sys.stdout, indent=2)
        print()
    else:
        print_table(table, totals, headers, sys.stdout)
        if args.list is not None:
            print()
            print_list(surface, args.list, sys.stdout)

    if args.check and not args.json:
        print("check passed: nothing in auralis::kernel, every included auralis header is "
              "in the include directories")
    return 0


if __name__ == "__main__":
    sys.exit(main())
