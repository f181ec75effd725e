"""Compares builds of `read_bench` (or any commands) by alternating runs, for A/B tests of a change.

This machine's speed drifts by half within minutes, so single runs compare nothing: runs of each
command alternate (in reversed order every other round) and the report gives, per command, the
fastest run, the mean of the fastest quarter, the median, the CPU time split into user and system,
and the median of its time divided by the first command's in the same round.

    python3 bench/compare.py 30 ./rb_before ./rb_after
    python3 bench/compare.py 30 "./rb_after THREADS=1" "./rb_after THREADS=2"

A command that is one word is taken as a `read_bench` binary and given the Stevens `read_pcap` of
the real-traffic capture (see bench.py); words of the form NAME=VALUE after it are environment
variables (THREADS sets READ_BENCH_THREADS). Anything longer runs as a shell command.
"""
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

CAPTURE = pathlib.Path(os.environ.get("BENCH_DIR", pathlib.Path.home() / ".cache/pcapframe/bench")) / "real-traffic-x40.pcap"
STEVENS = ["tcp.stream", "ip.src", "ip.dst", "tcp.seq", "tcp.ack", "tcp.window_size", "tcp.len"]


def command_of(spec):
    """(argv or shell string, environment) of one command given on the command line."""
    words = spec.split()
    binary, settings = words[0], words[1:]
    if all("=" in w for w in settings):
        env = dict(os.environ)
        for name, value in (w.split("=", 1) for w in settings):
            env["READ_BENCH_THREADS" if name == "THREADS" else name] = value
        argv = [binary, "eager-filter", str(CAPTURE), " and ".join(STEVENS), "frame.time_epoch", *STEVENS]
        return argv, env
    return spec, dict(os.environ)


def run(command, env):
    """(wall, user, system) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, shell=isinstance(command, str), env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def main():
    rounds, specs = int(sys.argv[1]), sys.argv[2:]
    if not specs:
        sys.exit(__doc__)
    commands = [command_of(s) for s in specs]
    runs = {s: [] for s in specs}
    for r in range(rounds):
        order = list(zip(specs, commands))
        for spec, (command, env) in order if r % 2 == 0 else order[::-1]:
            runs[spec].append(run(command, env))

    def quarter(values):
        return statistics.mean(sorted(values)[: max(1, len(values) // 4)])

    first = [w for w, _, _ in runs[specs[0]]]
    for spec in specs:
        wall = [w for w, _, _ in runs[spec]]
        user = [u for _, u, _ in runs[spec]]
        system = [s for _, _, s in runs[spec]]
        ratio = statistics.median(w / f for w, f in zip(wall, first))
        print(f"{spec}: wall fastest {min(wall) * 1e3:.0f} ms, fastest quarter {quarter(wall) * 1e3:.0f}, "
              f"median {statistics.median(wall) * 1e3:.0f}; user {quarter(user) * 1e3:.0f} ms, "
              f"system {quarter(system) * 1e3:.0f} (fastest quarters); vs the first: {ratio:.3f}")


if __name__ == "__main__":
    main()
