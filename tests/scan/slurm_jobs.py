#!/usr/bin/python3
"""The Slurm job scripts of jobs/ on a real single-node Slurm (docs/scans.md).

Starts munge (unless one is running), slurmctld and slurmd on this host without systemd (recipe of
the toolchain notes, section 6: config, state and logs under --work, free ports), then submits:
  single   jobs/drfm_single.sh with sbatch --wait: exit 0, a complete file;
  scan     jobs/drfm_scan.sh; once its first run is done, `scancel --signal=USR1 --batch` (what
           --signal=B:USR1@T does before the time limit): the script passes the signal on,
           drfm_hpc stops at a layer boundary with exit 75, the script requeues the job, and the
           second attempt resumes and completes the scan;
  array    jobs/drfm_array.sh as a 3-task array with sbatch --wait: each task writes its slice,
           together every run exactly once;
  long     jobs/drfm_scan.sh on one 6-layer run (--long-input) whose wall-time budget allows 2 or 3
           layers a job: every job stops at a layer boundary (exit 75) and requeues itself, the
           next one continues at the layer after its layer checkpoint, and after the requeues the
           file equals a direct uninterrupted run in every dataset but /timings, bit for bit.
Each result is compared with a direct mpiexec run of the same input (<= 1e-12). Stops the daemons
it started. Exits 77 (ctest SKIP) with the reason when Slurm is not installed or not usable here.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import h5py

from checkpoint_program import compare
from result_checks import check, finish, relative_difference, statuses

SKIP = 77


def skip(reason):
    print(f"SKIP: {reason}", flush=True)
    sys.exit(SKIP)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mem_total_mb():
    with open("/proc/meminfo") as f:
        return int(f.readline().split()[1]) // 1024


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


class Slurm:
    """A single-node Slurm under `work`, up between start() and stop()."""

    def __init__(self, work):
        self.work = os.path.abspath(work)
        self.host = socket.gethostname().split(".")[0]
        self.conf = os.path.join(self.work, "slurm.conf")
        self.pids = []  # (name, pid file) of the daemons this test started
        self.env = dict(os.environ, SLURM_CONF=self.conf)

    def write_conf(self):
        for sub in ("state", "spool", "run", "log"):
            os.makedirs(os.path.join(self.work, sub), exist_ok=True)
        d = self.work
        ctld, slurmd = free_port(), free_port()
        with open(self.conf, "w") as f:
            f.write(f"""ClusterName=drfmtest
SlurmctldHost={self.host}
SlurmctldPort={ctld}
SlurmdPort={slurmd}
SlurmUser=root
AuthType=auth/munge
AuthInfo=cred_expire=5
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerParameters=bf_interval=1,sched_interval=2
MinJobAge=600
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/run/slurmctld.pid
SlurmdPidFile={d}/run/slurmd.pid
SlurmctldLogFile={d}/log/slurmctld.log
SlurmdLogFile={d}/log/slurmd.log
NodeName={self.host} CPUs={os.cpu_count()} RealMemory={max(mem_total_mb() - 1024, 512)} State=UNKNOWN
PartitionName=debug Nodes={self.host} Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
""")

    def start_munge(self):
        if run(["sh", "-c", "munge -n | unmunge"]).returncode == 0:
            print("munge: already running, used as is", flush=True)
            return
        subprocess.run(["install", "-d", "-o", "munge", "-g", "munge", "-m", "0755", "/run/munge"], check=True)
        subprocess.run(["runuser", "-u", "munge", "--", "/usr/sbin/munged"], check=True)
        self.pids.append(("munged", "/run/munge/munged.pid"))
        for _ in range(50):
            if run(["sh", "-c", "munge -n | unmunge"]).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("munged did not start")

    def start(self):
        self.write_conf()
        self.start_munge()
        for name in ("slurmctld", "slurmd"):
            r = run([f"/usr/sbin/{name}", "-f", self.conf], env=self.env)
            if r.returncode != 0:
                raise RuntimeError(f"{name} failed to start: {r.stderr.strip()}")
            self.pids.append((name, os.path.join(self.work, "run", f"{name}.pid")))
        for _ in range(300):
            state = run(["sinfo", "-h", "-o", "%t"], env=self.env).stdout.strip()
            if state == "idle":
                print(f"slurm: node {self.host} idle", flush=True)
                return
            time.sleep(0.1)
        raise RuntimeError(f"the node did not become idle (sinfo: {state!r}); see {self.work}/log")

    def stop(self):
        for name, pid_file in reversed(self.pids):
            try:
                with open(pid_file) as f:
                    pid = int(f.read().split()[0])
                os.kill(pid, 15)
                for _ in range(100):
                    os.kill(pid, 0)
                    time.sleep(0.05)
            except (OSError, ValueError):
                pass
            print(f"stopped {name}", flush=True)

    def sbatch(self, args, env):
        return run(["sbatch", *args], env=dict(self.env, **env), cwd=self.work)

    def job_states(self, job):
        """(state, restarts, exit code) of the job, or of each task of an array job."""
        out = run(["scontrol", "show", "job", str(job)], env=self.env).stdout
        return [(state, int(restarts), int(code)) for state, restarts, code in re.findall(
            r"JobState=(\S+).*?Restarts=(\d+).*?ExitCode=(\d+):", out, re.S)]

    def wait(self, job, timeout=180):
        """Polls until every task of the job has ended (sbatch --wait polls with a back-off of up
        to 30 s); returns the last states and the sequence of (state, restarts) seen."""
        terminal = ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY")
        seen, states = [], []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = self.job_states(job)
            summary = [s[:2] for s in states]
            if not seen or seen[-1] != summary:
                seen.append(summary)
            if states and all(s[0] in terminal for s in states):
                break
            time.sleep(0.1)
        return states, seen


def max_difference(path, reference, runs=None):
    """Largest relative difference of every float record of /metrics and /spectra, file run r
    against reference run runs[r] (default: the same index)."""
    worst = 0.0
    with h5py.File(path, "r") as a, h5py.File(reference, "r") as b:
        for group in ("metrics", "spectra"):
            for name, ds in b[group].items():
                if ds.dtype.kind != "f" or ds.ndim < 2:
                    continue
                x = a[group][name][()]
                y = ds[()] if runs is None else ds[()][runs]
                worst = max(worst, relative_difference(x, y, f"{path}: /{group}/{name}"))
    return worst


def long_run(slurm, env, args, work):
    """A run longer than one job: layers of about 1 s (4000 samples on 2 ranks), a budget of
    4 s - 1 s margin from each job's start, 6 layers and the final predictor. The job's time
    limit (4 min) is below the 5 min from which drfm_run passes the remaining time as --walltime,
    so run.walltime is the budget."""
    size = ["data.n_train=4000"]
    direct = os.path.join(work, "long_direct.h5")
    r = run([args.mpiexec, "-n", "2", "--oversubscribe", args.drfm, args.long_input,
             f"output.path={direct}", "run.checkpoint=none", *size])
    check(r.returncode == 0, f"long, direct run: exit code {r.returncode}: {r.stdout[-2000:]}")
    path = os.path.join(work, "long.h5")
    r = slurm.sbatch(["--parsable", "-n", "2", "-t", "4", "-o", "long.out",
                      os.path.join(args.jobs, "drfm_scan.sh"),
                      args.long_input, f"output.path={path}", *size, "run.walltime=4",
                      "run.walltime_margin=1"], env)
    check(r.returncode == 0, f"long: sbatch exit code {r.returncode} ({r.stderr.strip()})")
    job = r.stdout.strip().split(";")[0]
    states, seen = slurm.wait(job, timeout=300)
    state = states[0] if states else ("?", 0, -1)
    log = open(os.path.join(work, "long.out")).read()
    resumes = re.findall(r"resuming at layer (\d+)", log)
    print(f"long: job {job} states {seen}; resumed at layers {resumes}", flush=True)
    check(state[0] == "COMPLETED" and state[1] >= 1,
          f"long: job {job} ended {state[0]} after {state[1]} requeues (expected COMPLETED after "
          f">= 1); log:\n{log[-3000:]}")
    check(len(resumes) == state[1] and resumes == sorted(resumes, key=int),
          f"long: {state[1]} requeues but resumed at layers {resumes}")
    if os.path.exists(path):
        compare(path, direct, f"long: after {state[1]} requeues")
    check(not os.path.exists(path + ".run0.ckpt.h5"), "long: the checkpoint is left after the run")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drfm", required=True)
    parser.add_argument("--mpiexec", required=True)
    parser.add_argument("--jobs", required=True, help="the jobs/ folder")
    parser.add_argument("--input", required=True)
    parser.add_argument("--long-input", required=True, help="one run of several layers")
    parser.add_argument("--work", required=True)
    args = parser.parse_args()

    missing = [b for b in ("slurmctld", "slurmd", "sbatch", "scontrol", "munged", "munge")
               if not shutil.which(b) and not os.path.exists(f"/usr/sbin/{b}")]
    if missing:
        skip(f"Slurm is not installed (missing {', '.join(missing)}); scripts/setup.sh --with-slurm "
             "installs slurmctld, slurmd, slurm-client and munge")
    if os.geteuid() != 0:
        skip("starting slurmd and munged needs root")
    if not os.path.exists("/etc/munge/munge.key"):
        skip("/etc/munge/munge.key is missing (the munge package creates it)")

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    work = os.path.abspath(args.work)
    reference = os.path.join(work, "reference.h5")
    r = run([args.mpiexec, "-n", "2", "--oversubscribe", args.drfm, args.input, f"output.path={reference}"])
    check(r.returncode == 0, f"direct run: exit code {r.returncode}: {r.stdout[-2000:]}")

    slurm = Slurm(work)
    env = {"DRFM_HPC": args.drfm, "DRFM_JOBS": os.path.abspath(args.jobs)}
    try:
        slurm.start()
        t0 = time.monotonic()

        # single: the whole input in one job
        single = os.path.join(work, "single.h5")
        r = slurm.sbatch(["--wait", "-n", "2", "-o", "single.out", os.path.join(args.jobs, "drfm_single.sh"),
                          args.input, f"output.path={single}"], env)
        check(r.returncode == 0, f"drfm_single.sh: sbatch --wait exit code {r.returncode} ({r.stderr.strip()})")
        if os.path.exists(single):
            done, root, _ = statuses(single)
            check(root == "complete" and all(s == 1 for s in done), f"single: {root} {done}")
            worst = max_difference(single, reference)
            check(worst <= 1e-12, f"single: difference {worst:.3e} to the direct run")
            print(f"drfm_single.sh: complete, largest difference to the direct run {worst:.1e}", flush=True)

        # scan: a signal to the batch script, exit 75, requeue, resume
        scan = os.path.join(work, "scan.h5")
        r = slurm.sbatch(["--parsable", "-n", "2", "-o", "scan.out", os.path.join(args.jobs, "drfm_scan.sh"),
                          args.input, f"output.path={scan}"], env)
        check(r.returncode == 0, f"drfm_scan.sh: sbatch exit code {r.returncode} ({r.stderr.strip()})")
        job = r.stdout.strip().split(";")[0]
        progress = scan + ".progress.jsonl"
        for _ in range(600):
            if os.path.exists(progress) and '"event": "run"' in open(progress).read():
                break
            time.sleep(0.05)
        r = run(["scancel", "--signal=USR1", "--batch", job], env=slurm.env)
        check(r.returncode == 0, f"scancel --signal=USR1: {r.stderr.strip()}")
        states, seen = slurm.wait(job)  # a requeued job waits for its old credential to expire
        state = states[0] if states else ("?", 0, -1)
        print(f"drfm_scan.sh: job {job} states {seen}", flush=True)
        log = open(os.path.join(work, "scan.out")).read()
        check(state[0] == "COMPLETED" and state[1] >= 1,
              f"drfm_scan.sh: job {job} ended {state[0]} after {state[1]} requeues (expected COMPLETED "
              f"after 1); log:\n{log[-3000:]}")
        check("requeueing job" in log and "exit code 75" in log, "drfm_scan.sh: no requeue in the log")
        done, root, _ = statuses(scan)
        check(root == "complete" and all(s == 1 for s in done), f"scan: {root} {done}")
        stops = open(progress).read().count('"event": "stop"')
        check(stops >= 1, "scan: no stop event in the progress file")
        worst = max_difference(scan, reference)
        check(worst <= 1e-12, f"scan: difference {worst:.3e} to the direct run")
        print(f"drfm_scan.sh: stopped by USR1, requeued {state[1]} time(s), completed; largest "
              f"difference to the direct run {worst:.1e}", flush=True)

        # array: three slices, one file each
        array = os.path.join(work, "array.h5")
        r = slurm.sbatch(["--parsable", "--array=0-2", "-n", "2", "-o", "array_%a.out",
                          os.path.join(args.jobs, "drfm_array.sh"), args.input, f"output.path={array}"], env)
        check(r.returncode == 0, f"drfm_array.sh: sbatch exit code {r.returncode} ({r.stderr.strip()})")
        states, _ = slurm.wait(r.stdout.strip().split(";")[0])
        check(len(states) == 3 and all(s[0] == "COMPLETED" and s[2] == 0 for s in states),
              f"drfm_array.sh: task states {states}")
        seen = []
        for task in range(3):
            path = os.path.join(work, f"array.task{task}.h5")
            if not check(os.path.exists(path), f"array: {path} missing"):
                continue
            done, root, index = statuses(path)
            check(root == "complete" and all(s == 1 for s in done), f"array task {task}: {root} {done}")
            seen += index
            worst = max_difference(path, reference, runs=index)
            check(worst <= 1e-12, f"array task {task}: difference {worst:.3e} to the direct run")
        with h5py.File(reference, "r") as f:
            total = len(f["runs/status"])
        check(sorted(seen) == list(range(total)), f"array: scan indices {sorted(seen)}, expected 0..{total - 1}")
        print(f"drfm_array.sh: 3 tasks, runs {sorted(seen)} each exactly once", flush=True)
        long_run(slurm, env, args, work)
        print(f"slurm jobs: {time.monotonic() - t0:.1f} s", flush=True)
    except RuntimeError as e:
        check(False, str(e))
    finally:
        slurm.stop()
    return finish(work)


if __name__ == "__main__":
    sys.exit(main())
