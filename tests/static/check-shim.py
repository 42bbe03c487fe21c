#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Static checks of the LD_PRELOAD shim's structure (docs/design.md).

src/shim/preload.c is split by the "Overridden libc functions" banner:

  internal part   every top-level definition is static, and no function
                  that the file overrides is called by name (the real ones
                  go through libc(name)): a direct call would land in our
                  own wrapper, or recurse;
  wrappers        every function defined there is exported by the built
                  library, is a function of the C library it overrides,
                  and the library exports nothing else.

usage: check-shim.py SOURCE LIBRARY
"""
import re
import subprocess
import sys

BANNER = "/* Overridden libc functions"


def strip_comments_and_strings(text):
    """Blank out comments, string and character literals, keeping lines."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                         re.S)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def top_level_definitions(code):
    """(line number, header, name) of functions defined at column 0."""
    defs = []
    lines = code.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^(?!#|typedef\b|extern\b)"
                     r"([A-Za-z_][\w \*]*?)\b(\w+)\s*\(", line)
        if not m:
            continue
        # Find what follows the parameter list: '{' or a wrapper macro (a
        # definition) or ';' (a declaration).
        rest = "\n".join(lines[i:i + 8])
        depth, j = 0, rest.index("(")
        while j < len(rest):
            depth += {"(": 1, ")": -1}.get(rest[j], 0)
            j += 1
            if depth == 0:
                break
        tail = rest[j:].lstrip()
        if tail.startswith(";") or tail.startswith(","):
            continue
        if tail.startswith("__attribute__"):
            if ";" in tail.split("{")[0]:
                continue
        defs.append((i + 1, m.group(1).strip(), m.group(2)))
    return defs


def exported_functions(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                         capture_output=True, text=True).stdout
    return {f[2].split("@")[0] for f in (l.split() for l in out.splitlines())
            if len(f) == 3 and f[1] in "TW" and not f[2].startswith("_init")
            and not f[2].startswith("_fini")}


def libc_path(library):
    out = subprocess.run(["ldd", library], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.search(r"libc\.so\.6 => (\S+)", line)
        if m:
            return m.group(1)
    raise SystemExit("cannot find the C library of " + library)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    source, library = sys.argv[1], sys.argv[2]
    text = open(source, encoding="utf-8").read()
    if text.count(BANNER) != 1:
        raise SystemExit(f"{source}: the banner '{BANNER}' must appear exactly once")
    split_line = text[:text.index(BANNER)].count("\n")
    code = strip_comments_and_strings(text)
    internal, wrappers = code.split("\n")[:split_line], code.split("\n")[split_line:]
    internal, wrappers = "\n".join(internal), "\n".join(wrappers)
    errors = []

    wrapper_defs = top_level_definitions(wrappers)
    names = {name for _, _, name in wrapper_defs}
    for line, header, name in wrapper_defs:
        if "static" in header.split():
            errors.append(f"{source}:{split_line + line}: wrapper {name} is static")
    for line, header, name in top_level_definitions(internal):
        if "static" not in header.split():
            errors.append(f"{source}:{line}: {name} above the banner is not static")
    prototype = re.compile(r"^[A-Za-z_][\w \*]*\b(\w+)\s*\(.*\);\s*$")
    internal_lines = internal.split("\n")
    for name in sorted(names):
        for m in re.finditer(r"(?<![\w.>&])" + re.escape(name) + r"\s*\(", internal):
            line = internal[:m.start()].count("\n") + 1
            p = prototype.match(internal_lines[line - 1])
            if p and p.group(1) == name:
                continue  # a declaration of glibc's entry point
            errors.append(f"{source}:{line}: the internal part calls {name}() directly; "
                          f"use libc({name})")

    exported = exported_functions(library)
    libc_names = exported_functions(libc_path(library))
    for name in sorted(names - exported):
        errors.append(f"{library}: wrapper {name} is not exported")
    for name in sorted(exported - names):
        errors.append(f"{library}: exports {name}, which is not a wrapper")
    for name in sorted(names - libc_names):
        errors.append(f"{source}: wrapper {name} is not a function of the C library")

    for e in errors:
        print(e)
    print(f"{len(names)} wrappers, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
