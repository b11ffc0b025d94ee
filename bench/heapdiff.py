#!/usr/bin/env python3
"""Growth of the managed heap between two heap dumps, by type, per unit of the step.

usage: python3 bench/heapdiff.py BEFORE AFTER UNITS [ROWS]
Dumps from `OrleansTok.Bench --phases memory --heapdump DIR` (full heap dumps, `.dmp`, read with the
dotnet-dump tool: every object's exact size, live objects only) or `--gcdump DIR` (`.gcdump`, read
with dotnet-gcdump: small, but its report sizes small arrays and strings at their base size).
"""
import os, re, subprocess, sys


def tool(name):
    installed = os.path.expanduser(f"~/.dotnet/tools/{name}")
    return installed if os.path.exists(installed) else name


def by_type(dump):
    with open(dump, "rb") as f:
        full = f.read(4) == b"\x7fELF"  # a core dump from dotnet-dump; gcdumps are not ELF
    if full:
        report = subprocess.run([tool("dotnet-dump"), "analyze", dump, "-c", "dumpheap -stat -live", "-c", "exit"],
                                capture_output=True, text=True, check=True).stdout
        types = {}
        for line in report.splitlines():
            # MT, count, total size, type name
            m = re.match(r"\s*[0-9a-f]{8,16}\s+([\d,]+)\s+([\d,]+)\s+(.*?)\s*$", line)
            if m:
                types[m.group(3)] = [int(m.group(2).replace(",", "")), int(m.group(1).replace(",", ""))]
        return types
    report = subprocess.run([tool("dotnet-gcdump"), "report", dump], capture_output=True, text=True, check=True).stdout
    types = {}
    for line in report.splitlines():
        m = re.match(r"\s*([\d,]+)\s+([\d,]+)\s+(.*?)\s*$", line)
        if not m:
            continue
        size, count, name = int(m.group(1).replace(",", "")), int(m.group(2).replace(",", "")), m.group(3)
        # Every line gives one object's size: the average of its size class for arrays listed as "(Bytes > 1K)" etc.
        name = re.sub(r"\s*\(Bytes > [^)]*\)", "", name)
        entry = types.setdefault(name, [0, 0])
        entry[0] += size * count
        entry[1] += count
    return types


def main():
    before, after, units = by_type(sys.argv[1]), by_type(sys.argv[2]), float(sys.argv[3])
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    growth = sorted(((after.get(t, [0, 0])[0] - before.get(t, [0, 0])[0], after.get(t, [0, 0])[1] - before.get(t, [0, 0])[1], t)
                     for t in set(before) | set(after)), reverse=True)
    total = sum(g[0] for g in growth)
    print(f"heap growth {total:,} bytes: {total / units:,.0f} bytes ({total / units / 1024:.2f} KiB) per unit")
    for size, count, name in growth[:rows]:
        print(f"{size / units:9.1f} B {count / units:6.2f} objects  {name[:140]}")


if __name__ == "__main__":
    main()
