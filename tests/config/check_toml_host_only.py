#!/usr/bin/python3
"""Keeps toml++ and Kokkos in separate files (docs/build.md, "toml++ and nvcc").

nvcc cannot compile toml++, and a CUDA Kokkos cannot be compiled without nvcc. So every .cpp that
includes toml++ (directly or through project headers) must be listed in a drfm_host_only_sources()
call, and no listed file may include Kokkos. A CUDA build is the only one that would notice a
mistake; this check follows the #include lines of the sources on every build instead.

usage: check_toml_host_only.py PROJECT_SOURCE_DIR
"""
import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.MULTILINE)
HOST_ONLY = re.compile(r"drfm_host_only_sources\(([^)]*)\)")
COMPILED_DIRS = ("src", "tests", "bench")  # where targets are added


def host_only_files(root: Path) -> set[Path]:
    """The files of every drfm_host_only_sources() call (scripts/check_cuda_compile.py uses it)."""
    listed = set()
    for cmake in [p for d in COMPILED_DIRS for p in (root / d).rglob("CMakeLists.txt")]:
        for args in HOST_ONLY.findall(cmake.read_text(encoding="utf-8")):
            listed |= {(cmake.parent / name).resolve() for name in args.split()}
    return listed


def main(root: Path) -> int:
    search_dirs = [root / "include", root / "tests"]
    sources = [p for d in (*COMPILED_DIRS, "include") for p in (root / d).rglob("*.[ch]pp")]
    memo: dict[Path, set[str]] = {}

    def reaches(path: Path) -> set[str]:
        """The libraries of interest ('toml', 'kokkos') that `path` includes, transitively."""
        if path in memo:
            return memo[path]
        memo[path] = found = set()
        for kind, name in INCLUDE.findall(path.read_text(encoding="utf-8")):
            if name.startswith("toml++/"):
                found.add("toml")
            elif name.startswith("Kokkos_"):
                found.add("kokkos")
            elif kind == '"':
                for base in [path.parent, *search_dirs]:
                    if (base / name).is_file():
                        found |= reaches((base / name).resolve())
                        break
        return found

    listed = host_only_files(root)
    errors = []
    for path in sorted(listed):
        if not path.is_file():
            errors.append(f"{path}: listed in drfm_host_only_sources but does not exist")
        elif "kokkos" in reaches(path):
            errors.append(f"{path}: host-only (it includes toml++) but it also includes Kokkos")
        elif "toml" not in reaches(path):
            errors.append(f"{path}: listed in drfm_host_only_sources but includes no toml++")
    for path in sorted(p.resolve() for p in sources if p.suffix == ".cpp"):
        if "toml" in reaches(path) and path not in listed:
            errors.append(f"{path}: includes toml++ but is not in a drfm_host_only_sources() call")

    for e in errors:
        print(e)
    print(f"{len(listed)} host-only files, {len(sources)} sources read: "
          f"{'FAILED' if errors else 'ok'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve()))
