#!/usr/bin/python3
"""Compiles every source of a build with nvcc against a Kokkos' headers in a CUDA configuration,
without a CUDA Kokkos library or a GPU (docs/build.md, "Compiled for CUDA against Kokkos 5.2.2's
headers"). Catches what only a CUDA build would: device-code rules of extended lambdas, host-only
calls in kernels, toml++ in a file nvcc compiles.

The Kokkos headers may come from any host-backend installation of Kokkos 4.x or 5.x: its generated
configuration headers are shadowed by a CUDA + Serial one for one GPU architecture. Files in a
drfm_host_only_sources() call go to the host compiler with that configuration, where any Kokkos
include stops them (Kokkos' CUDA headers refuse a compiler without __CUDACC__).

The files that include core/device_blas.hpp (KokkosBlas) need --kokkos-kernels-include: the headers
of a KokkosKernels of the same major version as the Kokkos headers (KokkosKernels 3.4 does not build
on Kokkos 4 or 5). Its generated KokkosKernels_config.h is shadowed by one with cuBLAS and the CUDA
execution and memory spaces, so the cuBLAS specialisation of KokkosBlas::gemm is what compiles. The
build's own KokkosKernels dir is dropped like its Kokkos dir. Without the flag those files fail with
a missing KokkosBlas3_gemm.hpp.

usage: check_cuda_compile.py --build BUILD_DIR --kokkos-include DIR [--kokkos-kernels-include DIR]
                             [--nvcc PATH] [--std c++20] [--arch hopper90] [--jobs N] [FILE ...]
e.g.   scripts/check_cuda_compile.py --build build --kokkos-include /usr/include/kokkos \
           --kokkos-kernels-include /usr/include/kokkos-kernels tests/core/test_device_blas.cpp
BUILD_DIR must have been configured with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON (any Kokkos). Prints
one line per file (ok / warnings / errors), the first diagnostics of each failure, and exits 1 when
any file failed.
"""
import argparse
import concurrent.futures
import importlib.util
import json
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SANITY_TU = """#include <Kokkos_Core.hpp>
#include <type_traits>
static_assert(std::is_same_v<Kokkos::DefaultExecutionSpace, Kokkos::Cuda>);
void sanity(int n) {
    Kokkos::View<double*> v("v", n);
    Kokkos::parallel_for("fill", n, KOKKOS_LAMBDA(const int i) { v(i) = 2.0 * i; });
}
"""


def write_cuda_configuration(kokkos: Path, out: Path, arch: str) -> None:
    """Kokkos' generated headers, switched to the CUDA and Serial backends for one architecture."""
    config = (kokkos / "KokkosCore_config.h").read_text()
    for name in ("KOKKOS_ENABLE_SERIAL", "KOKKOS_ENABLE_CUDA", "KOKKOS_ENABLE_CUDA_LAMBDA",
                 f"KOKKOS_ARCH_{arch.rstrip('0123456789').upper()}", f"KOKKOS_ARCH_{arch.upper()}"):
        config = config.replace(f"/* #undef {name} */", f"#define {name}")
    config = re.sub(r"^#define (KOKKOS_ENABLE_(OPENMP|THREADS|HPX))$", r"/* #undef \1 */", config,
                    flags=re.MULTILINE)
    (out / "KokkosCore_config.h").write_text(config)
    (out / "desul/atomics").mkdir(parents=True)
    desul = (kokkos / "desul/atomics/Config.hpp").read_text()
    (out / "desul/atomics/Config.hpp").write_text(
        desul.replace("/* #undef DESUL_ATOMICS_ENABLE_CUDA */", "#define DESUL_ATOMICS_ENABLE_CUDA"))
    for kind, folder in (("Declare", "decl"), ("Fwd", "fwd")):
        guard = f"KOKKOS_{kind.upper()}_HPP_"
        (out / f"KokkosCore_Config_{kind}Backend.hpp").write_text(
            f"#ifndef {guard}\n#define {guard}\n#include <{folder}/Kokkos_{kind}_SERIAL.hpp>\n"
            f"#include <{folder}/Kokkos_{kind}_CUDA.hpp>\n#endif\n")
    (out / "KokkosCore_Config_SetupBackend.hpp").write_text(
        "#ifndef KOKKOS_SETUP_HPP_\n#define KOKKOS_SETUP_HPP_\n"
        "#include <setup/Kokkos_Setup_Cuda.hpp>\n#endif\n")


def write_kokkos_kernels_cuda_configuration(kernels: Path, out: Path) -> None:
    """KokkosKernels' generated header, switched to cuBLAS and the CUDA spaces, host threads off."""
    config = (kernels / "KokkosKernels_config.h").read_text()
    for name in ("KOKKOSKERNELS_ENABLE_TPL_CUBLAS", "KOKKOSKERNELS_INST_EXECSPACE_CUDA",
                 "KOKKOSKERNELS_INST_MEMSPACE_CUDASPACE"):
        config = config.replace(f"/* #undef {name} */", f"#define {name}")
    config = re.sub(r"^#define (KOKKOSKERNELS_INST_EXECSPACE_(OPENMP|THREADS))\b.*$", r"/* #undef \1 */",
                    config, flags=re.MULTILINE)
    (out / "KokkosKernels_config.h").write_text(config)


def include_and_define_flags(command: str, drop_dirs: set[str]) -> list[str]:
    """The -I, -isystem and -D flags of a compile command, without the build's Kokkos and
    KokkosKernels dirs."""
    words, flags, i = shlex.split(command), [], 0
    while i < len(words):
        word = words[i]
        if word in ("-I", "-isystem", "-D"):
            word, i = word + words[i + 1], i + 1
        i += 1
        if word.startswith("-isystem"):
            if word[len("-isystem"):] not in drop_dirs:
                flags += ["-isystem", word[len("-isystem"):]]
        elif word.startswith("-I") and word[2:] not in drop_dirs or word.startswith("-D"):
            flags.append(word)
    return flags


def compile_one(command: list[str]) -> tuple[int, str]:
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    return result.returncode, result.stdout + result.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, required=True)
    parser.add_argument("--kokkos-include", type=Path, required=True)
    parser.add_argument("--kokkos-kernels-include", type=Path,
                        help="KokkosKernels headers (KokkosBlas3_gemm.hpp) for core/device_blas.hpp")
    parser.add_argument("--nvcc", default="/usr/local/cuda/bin/nvcc")
    parser.add_argument("--std", default="c++20")
    parser.add_argument("--arch", default="hopper90", help="Kokkos' name, e.g. ampere80, hopper90")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    kernels = args.kokkos_kernels_include
    if kernels and not (kernels / "KokkosBlas3_gemm.hpp").is_file():
        parser.error(f"--kokkos-kernels-include {kernels}: no KokkosBlas3_gemm.hpp there")

    spec = importlib.util.spec_from_file_location(
        "check_toml_host_only", ROOT / "tests/config/check_toml_host_only.py")
    toml_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(toml_check)
    host_only = toml_check.host_only_files(ROOT)

    entries = json.loads((args.build / "compile_commands.json").read_text())
    wanted = {f.resolve() for f in args.files}
    entries = [e for e in entries if not wanted or Path(e["file"]).resolve() in wanted]
    build_dirs = {d for e in entries for d in re.findall(r"(?:-isystem\s*|-I)(\S+)", e["command"])}
    drop_dirs = {d for d in build_dirs
                 if (Path(d) / "Kokkos_Core.hpp").is_file() or (Path(d) / "KokkosBlas3_gemm.hpp").is_file()}

    with tempfile.TemporaryDirectory(prefix="drfm-cuda-config-") as tmp:
        overlay = Path(tmp)
        write_cuda_configuration(args.kokkos_include.resolve(), overlay, args.arch)
        kokkos_flags = [f"-I{overlay}", f"-I{args.kokkos_include.resolve()}"]
        if kernels:
            write_kokkos_kernels_cuda_configuration(kernels.resolve(), overlay)
            kokkos_flags.append(f"-I{kernels.resolve()}")
        sm = "sm_" + re.sub(r"\D", "", args.arch)
        nvcc = [args.nvcc, "-x", "cu", f"-std={args.std}", f"-arch={sm}", "--extended-lambda",
                "--expt-relaxed-constexpr", "-DEIGEN_NO_CUDA", "-ccbin", "g++", "-c", "-o",
                "/dev/null"]
        host = ["g++", f"-std={args.std}", "-fsyntax-only"]
        (overlay / "sanity.cpp").write_text(SANITY_TU)
        rc, text = compile_one(nvcc + kokkos_flags + [str(overlay / "sanity.cpp")])
        if rc != 0:
            print(text[:3000])
            print("nvcc cannot compile a bare Kokkos kernel with these headers: a Kokkos/CUDA "
                  "mismatch, not the project's code")
            return 2

        jobs = {}
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for e in entries:
                path = Path(e["file"]).resolve()
                flags = include_and_define_flags(e["command"], drop_dirs)
                compiler = host if path in host_only else nvcc
                jobs[path] = pool.submit(compile_one, compiler + kokkos_flags + flags + [str(path)])
        failed = 0
        for path, job in sorted(jobs.items()):
            rc, text = job.result()
            warnings = len(re.findall(r"warning", text, flags=re.IGNORECASE))
            state = "errors" if rc else f"{warnings} warnings" if warnings else "ok"
            how = "host-only" if path in host_only else "nvcc"
            print(f"{path.relative_to(ROOT)} ({how}): {state}")
            if rc or warnings:
                failed += 1
                print("    " + "\n    ".join(text.strip().splitlines()[:6]))
        print(f"{len(jobs)} files, {failed} with errors or warnings")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
