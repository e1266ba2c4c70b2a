#!/usr/bin/env python3
"""Checks that each tool's --help and its man page document the same long options.

Usage: help_man_options.py BIN_DIR MAN_DIR TOOL...

An option counts as documented in a man page when it heads a tagged paragraph
(.TP) of the page's OPTIONS section; the common options every tool takes are
documented once, in xr-toolkit(1)'s OPTIONS. Prints one line per mismatch and
exits 1 if there is any (issue 27: nothing else kept the two in step).
"""
import re
import subprocess
import sys


def man_options(path):
    """The long options heading the .TP paragraphs of the page's OPTIONS section."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^\.SH OPTIONS\n(.*?)(?=^\.SH )", text, re.S | re.M)
    lines = section.group(1).split("\n") if section else []
    options = set()
    for previous, line in zip(lines, lines[1:]):
        if previous.startswith(".TP"):
            options.update(o.replace("\\-", "-") for o in re.findall(r"\\-\\-([a-z0-9][a-z0-9\\-]*)", line))
    return options


def help_options(bin_dir, tool):
    """The long options listed in the tool's --help (one option a line, indented)."""
    out = subprocess.run([f"{bin_dir}/{tool}", "--help"], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"^\s+(?:-\w,\s*)?--([a-z0-9][a-z0-9-]*)", out, re.M))


def main():
    bin_dir, man_dir, tools = sys.argv[1], sys.argv[2], sys.argv[3:]
    common = man_options(f"{man_dir}/xr-toolkit.1")
    if not common:
        print(f"{man_dir}/xr-toolkit.1: no common options found in OPTIONS")
        return 1
    failures = []
    for tool in tools:
        in_help, in_man = help_options(bin_dir, tool), man_options(f"{man_dir}/{tool}.1")
        if not in_help:
            failures.append(f"{tool}: no long options found in --help")
        failures += [f"{tool}: --{o} is in --help but not in {man_dir}/{tool}.1 OPTIONS or xr-toolkit(1)"
                     for o in sorted(in_help - in_man - common)]
        failures += [f"{tool}: --{o} is in {man_dir}/{tool}.1 OPTIONS but not in --help"
                     for o in sorted(in_man - in_help)]
    print("\n".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
