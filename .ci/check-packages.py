"""Checks the packages `dotnet pack` made: the four libraries, each with its metadata, README, symbols and SourceLink."""
import pathlib
import re
import sys
import zipfile

EXPECTED = ["IcelandicEid", "IcelandicEid.AspNetCore", "IcelandicEid.Clients", "IcelandicEid.Redis"]
REQUIRED = ["id", "version", "authors", "description", "tags", "license", "readme", "projectUrl"]

directory = pathlib.Path(sys.argv[1])
problems = []
for package in EXPECTED:
    found = sorted(directory.glob(f"{package}.[0-9]*.nupkg"))
    if len(found) != 1:
        problems.append(f"{package}: expected one .nupkg, found {len(found)}")
        continue
    nupkg = found[0]
    with zipfile.ZipFile(nupkg) as z:
        nuspec = z.read(f"{package}.nuspec").decode("utf-8-sig")
        for field in REQUIRED:
            if not re.search(rf"<{field}[ >][^<]*\S", nuspec):
                problems.append(f"{package}: nuspec has no {field}")
        if not re.search(r'<repository type="git" url="https://[^"]+" commit="[0-9a-f]{40}"', nuspec):
            problems.append(f"{package}: nuspec has no repository URL with a commit")
        if "README.md" not in z.namelist():
            problems.append(f"{package}: README.md is not in the package")
        if f"lib/net10.0/{package}.xml" not in z.namelist():
            problems.append(f"{package}: XML documentation is not in the package")
    snupkg = nupkg.with_suffix(".snupkg")
    if not snupkg.exists():
        problems.append(f"{package}: no symbol package")
    else:
        with zipfile.ZipFile(snupkg) as z:
            pdb = z.read(f"lib/net10.0/{package}.pdb")
            if b"raw.githubusercontent.com" not in pdb:
                problems.append(f"{package}: the PDB has no SourceLink to the repository")
    print(f"{nupkg.name}: checked")

extra = sorted(p.name for p in directory.glob("*.nupkg") if not any(p.name.startswith(e + ".0") or re.match(rf"{re.escape(e)}\.[0-9]", p.name) for e in EXPECTED))
if extra:
    problems.append("unexpected packages: " + ", ".join(extra))
for problem in problems:
    print("PACKAGE PROBLEM:", problem, file=sys.stderr)
sys.exit(1 if problems else 0)
