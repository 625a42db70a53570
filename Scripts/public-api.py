#!/usr/bin/env python3
"""The public surface of IOMKit's library modules, read from the sources.

    Scripts/public-api.py                 the public-type count per module and in all
    Scripts/public-api.py --list          every public type, one a line (module, file:line, name)
    Scripts/public-api.py --check [MAX]   fails (exit 1) when there are more than MAX public types
                                          (default 120) or a public declaration has no `///` comment

A declaration is public when it is written `public` or `open`, is not `@_spi(...)`, and every
scope around it is public too (a `public` member of a `package` or internal type, or of an
`@_spi` extension, is not). Types are struct, class, enum, protocol, actor and typealias
declarations; the documentation check also covers functions, initializers, properties,
subscripts, the cases of public enums and the requirements of public protocols.

Library modules are the folders of Sources/ except the executables and the C module; generated
protobuf code (internal) is skipped.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCES = os.path.join(ROOT, "Sources")
NOT_LIBRARIES = {"iom", "iom-vectors", "IOMStoreCrashHelper", "CZeroMQ"}
DEFAULT_MAXIMUM = 120

TYPE_KEYWORDS = ("struct", "class", "enum", "protocol", "actor", "typealias")
SCOPE_KEYWORDS = ("struct", "class", "enum", "protocol", "actor", "extension")
DECL_KEYWORDS = TYPE_KEYWORDS + ("extension", "func", "init", "var", "let", "subscript", "case",
                                 "associatedtype", "deinit")
MODIFIERS = {"public", "open", "package", "internal", "private", "fileprivate", "final", "static",
             "class", "indirect", "override", "mutating", "nonmutating", "convenience", "required",
             "nonisolated", "lazy", "weak", "unowned", "dynamic", "optional", "borrowing", "consuming",
             "distributed", "isolated", "sending"}


def blank_strings_and_comments(text):
    """Returns the text with comments and string literals blanked (newlines kept) and, per line,
    whether it is a `///` documentation line."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append("/" * 3 if text.startswith("///", i) else "")
            out.append(" " * (j - i - (3 if text.startswith("///", i) else 0)))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i
            hashes = 0
            while j > 0 and text[j - 1] == "#":
                j, hashes = j - 1, hashes + 1
            multi = text.startswith('"""', i)
            quote = '"""' if multi else '"'
            end = quote + "#" * hashes
            j = i + len(quote)
            depth = 0
            while j < n:
                if text[j] == "\\" and not hashes:
                    if j + 1 < n and text[j + 1] == "(":
                        depth += 1
                        j += 2
                        continue
                    j += 2
                    continue
                if depth:
                    if text[j] == "(":
                        depth += 1
                    elif text[j] == ")":
                        depth -= 1
                    j += 1
                    continue
                if text.startswith(end, j):
                    j += len(end)
                    break
                j += 1
            out.append(quote + re.sub(r"[^\n]", " ", text[i + len(quote):j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


DECL = re.compile(r"^\s*((?:@[\w.]+(?:\([^)]*\))?\s+)*)((?:\w+(?:\([\w, ]*\))?\s+)*?)(%s)\b" % "|".join(DECL_KEYWORDS))
NAME = re.compile(r"\b(?:%s)\s+([`\w.]+)" % "|".join(TYPE_KEYWORDS + ("extension",)))
ACCESS = ("public", "open", "package", "internal", "private", "fileprivate")


def scan(path, module, known):
    """Returns the public types of one file, its undocumented public declarations, and every type
    it declares with whether it is public (qualified names, for the extensions of other files)."""
    raw = open(path, encoding="utf-8").read()
    code = blank_strings_and_comments(raw).split("\n")
    lines = raw.split("\n")
    types, undocumented, declared = [], [], {}
    stack = []          # per open brace: (public, kind, qualified name or None)
    pending = None      # a type or extension whose `{` is still to come
    attrs = ""
    for number, line in enumerate(code, start=1):
        stripped = line.strip()
        m = DECL.match(line) if stripped else None
        if stripped.startswith("@") and not m:
            attrs += " " + stripped
        elif m:
            attrs += " " + m.group(1)
            words = [w.split("(")[0] for w in m.group(2).split()]
            keyword = m.group(3)
            if keyword == "class" and re.search(r"\bclass\s+(func|var|let|subscript)\b", line):
                keyword = "func"
            inner_public = all(p for p, _, _ in stack)
            inner_kind = stack[-1][1] if stack else None
            outer_name = next((q for _, _, q in reversed(stack) if q), None)
            explicit = [w for w in words if w in ACCESS]
            is_spi = "@_spi" in attrs
            attrs = ""
            if keyword == "extension":
                name = NAME.search(line).group(1).split("<")[0]
                public = not is_spi and not explicit or explicit and explicit[0] in ("public", "open")
                public = public and known.get(name, True)
                pending = (public and inner_public, "extension", name)
            else:
                if explicit:
                    public = explicit[0] in ("public", "open")
                else:
                    public = (keyword == "case" and inner_kind == "enum") or \
                        (inner_kind == "protocol" and keyword in ("func", "init", "var", "subscript", "associatedtype", "typealias"))
                public = public and not is_spi and inner_public and inner_kind != "block"
                if keyword in TYPE_KEYWORDS:
                    name = NAME.search(line).group(1)
                    qualified = "%s.%s" % (outer_name, name) if outer_name else name
                    declared[qualified] = public
                    if public:
                        types.append((module, "%s:%d" % (os.path.relpath(path, ROOT), number), qualified))
                    if keyword in SCOPE_KEYWORDS:
                        pending = (public, keyword, qualified)
                if public and keyword != "deinit":
                    k = number - 2
                    while k >= 0 and lines[k].strip().startswith("@"):
                        k -= 1
                    if not (k >= 0 and lines[k].strip().startswith("///")):
                        undocumented.append("%s:%d: %s" % (os.path.relpath(path, ROOT), number, lines[number - 1].strip()))
        else:
            attrs = ""
        for ch in line:
            if ch == "{":
                if pending:
                    stack.append(pending)
                    pending = None
                else:
                    stack.append((False, "block", None))
            elif ch == "}" and stack:
                stack.pop()
    return types, undocumented, declared


def main(argv):
    check = "--check" in argv
    listing = "--list" in argv
    maximum = DEFAULT_MAXIMUM
    numbers = [a for a in argv if a.isdigit()]
    if numbers:
        maximum = int(numbers[0])
    all_types, all_undocumented = [], []
    per_module = {}
    paths = []
    for module in sorted(os.listdir(SOURCES)):
        folder = os.path.join(SOURCES, module)
        if module in NOT_LIBRARIES or not os.path.isdir(folder):
            continue
        for directory, _, files in os.walk(folder):
            if "Generated" in directory.split(os.sep):
                continue
            for name in sorted(files):
                if name.endswith(".swift"):
                    paths.append((module, os.path.join(directory, name)))
    # First pass: which types are public, so an extension of a package type is not counted.
    known = {}
    for module, path in paths:
        known.update(scan(path, module, {})[2])
    for module, path in paths:
        types, undocumented, _ = scan(path, module, known)
        all_types += types
        all_undocumented += undocumented
        per_module[module] = per_module.get(module, 0) + len(types)
    if listing:
        for module, where, name in sorted(all_types):
            print("%-12s %-55s %s" % (module, where, name))
    for module, count in sorted(per_module.items(), key=lambda kv: -kv[1]):
        print("%-12s %4d" % (module, count))
    print("%-12s %4d public types (at most %d)" % ("all", len(all_types), maximum))
    if check:
        failed = False
        if len(all_types) > maximum:
            print("error: %d public types, more than %d: make the new ones `package` or internal" % (len(all_types), maximum))
            failed = True
        if all_undocumented:
            print("error: %d public declarations without a `///` comment:" % len(all_undocumented))
            for line in all_undocumented:
                print("  " + line)
            failed = True
        return 1 if failed else 0
    elif all_undocumented:
        print("%d public declarations without a `///` comment (--check lists them)" % len(all_undocumented))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
