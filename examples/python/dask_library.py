#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Analyse a whole music library on a dask.distributed cluster with auralis_native.

The Python twin of auralis-batch (docs/cli.md, docs/scaling.md): every audio file under the
given files and directories is analysed, one file per Dask task, and one JSON line per file is
written, in the sorted order of the paths, with exactly auralis-batch's fields:

    {"path", "ok": true, "spectrum", "frequency_bins", ..., "settings": {...}, "file": {...}}
    {"path", "ok": false, "error", "kind"}

A file that cannot be analysed (not audio, truncated, unreadable, NaN samples, ...) gets an
error line and the run goes on; so does a file whose task is lost with its worker (kind
"internal"). --resume keeps the lines already in --out and analyses only the other files, as
auralis-batch --resume does (an incomplete last line left by a killed run is cut off first);
--shard K/N takes every N-th file from the K-th (1-based), as auralis-batch --shard.

Threads: each Dask worker runs `nthreads` tasks at a time, and a worker plugin caps the
library's own thread pool (oneTBB, which ignores OMP_NUM_THREADS) at the same number with
auralis_native.set_max_threads, so workers x threads = cores and nothing is oversubscribed.
The analysis releases the GIL, so a worker's threads really run in parallel.

    python dask_library.py ~/Music --out library.jsonl                 # LocalCluster, all cores
    python dask_library.py ~/Music --out library.jsonl --n-workers 2   # 2 processes x cores/2
    python dask_library.py /shared/music --out lib.jsonl --scheduler tcp://sched:8786 --resume

With --scheduler, every worker must see the library under the same path as this client (the
paths sent to the workers are absolute) and have auralis_native installed. Exit codes as
auralis-batch: 0 every file ok, 1 the output cannot be written, 2 usage error, 3 some files
failed (their error lines are in the output).
"""

import argparse
import json
import os
import sys
import time

# Extensions searched for in directories (case-insensitive), as auralis-batch.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".aiff", ".aif", ".aifc")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_SOME_FAILED = 0, 1, 2, 3


class UsageError(Exception):
    """A command-line problem found after parsing: exit 2."""


def log(text):
    print("dask_library: " + text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- the file list


def path_key(path):
    """The text under which a path appears in the output (the key --resume matches and the sort
    key): normalised, '/' separators, undecodable bytes replaced by U+FFFD (JSON is UTF-8)."""
    text = os.path.normpath(path).replace(os.sep, "/")
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def sort_key(key):
    """Byte order of the UTF-8 text, as auralis-batch sorts (independent of the locale)."""
    return key.encode("utf-8", "surrogateescape")


def collect_inputs(args):
    """[(key, path)] of every file to analyse, sorted by key, without duplicates: directories
    searched recursively (audio extensions only, directory symlinks not followed, unreadable
    subdirectories skipped with a warning), files taken as given whatever their extension."""
    found = {}

    def add(path):
        found.setdefault(path_key(path), os.path.normpath(path))

    for arg in args:
        if not os.path.exists(arg):
            raise UsageError(arg + ": no such file or directory")
        if not os.path.isdir(arg):
            add(arg)
            continue

        def warn(err, arg=arg):
            log("warning: %s: listing stopped: %s" % (arg, err))

        for top, _dirs, files in os.walk(arg, onerror=warn, followlinks=False):
            for name in files:
                full = os.path.join(top, name)
                if os.path.splitext(name)[1].lower() in AUDIO_EXTENSIONS and os.path.isfile(full):
                    add(full)
    return sorted(found.items(), key=lambda item: sort_key(item[0]))


def parse_shard(text):
    """--shard K/N (1-based) -> (K, N)."""
    parts = text.split("/")
    if len(parts) != 2 or not all(p.isdigit() and 0 < len(p) <= 9 for p in parts):
        raise UsageError('--shard: expected K/N with 1 <= K <= N, e.g. 2/8, got "%s"' % text)
    k, n = int(parts[0]), int(parts[1])
    if n < 1 or k < 1 or k > n:
        raise UsageError("--shard: K is 1-based and needs 1 <= K <= N, got " + text)
    return k, n


def read_previous(out_path):
    """{path: ok} of the lines of an earlier run. An incomplete last line (the run was killed
    while writing it) is cut off the file so that appended lines start on a line of their own."""
    done = {}
    try:
        with open(out_path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return done  # nothing to resume from: a normal run
    complete_end = data.rfind(b"\n") + 1
    for number, raw in enumerate(data[:complete_end].split(b"\n")[:-1], start=1):
        if not raw.strip(b" \t\r"):
            continue
        try:
            line = json.loads(raw.decode("utf-8"))
        except ValueError:
            line = None
        if isinstance(line, dict) and isinstance(line.get("path"), str):
            done[line["path"]] = line.get("ok") is True
        else:
            log("warning: %s:%d is not a result line; ignored" % (out_path, number))
    if complete_end < len(data):
        log("%s: dropping an incomplete last line" % out_path)
        os.truncate(out_path, complete_end)
    return done


# ---------------------------------------------------------------------------- on the workers


def make_plugin():
    """A worker plugin that caps auralis_native's thread pool at the worker's task threads, so
    that the threads of all workers of a machine add up to its cores (Dask sizes workers x
    nthreads to the cores by default; the LocalCluster started here does the same). The class
    is local so that it travels to the workers by value (they need not have this file)."""
    from distributed import WorkerPlugin

    class CapLibraryThreads(WorkerPlugin):
        name = "auralis-cap-threads"
        idempotent = True

        def setup(self, worker):
            import auralis_native

            state = getattr(worker, "state", worker)  # distributed >= 2022.11: in .state
            auralis_native.set_max_threads(max(1, int(state.nthreads)))

    return CapLibraryThreads()


def analyze_one(key, path, settings):
    """The line of one file, as a dict; never raises for a bad file. Runs on a worker.

    auralis_native.analyze_path(on_error="record") returns auralis-batch's line, ok or error.
    The worker is given the absolute path (its working directory may differ from ours); the
    line names the path as the user wrote it, as auralis-batch's does."""
    import auralis_native

    try:
        line = auralis_native.analyze_path(path, settings, on_error="record")
    except Exception as exc:  # noqa: BLE001 - out of memory, a bug: still just this file's line
        return {"path": key, "ok": False, "error": "%s: %s" % (key, exc), "kind": "internal"}
    if path != key:
        absolute = line["path"]
        line["path"] = key
        if line["ok"]:
            line["file"]["path"] = key
        else:
            line["error"] = line["error"].replace(absolute, key)
    return line


# ---------------------------------------------------------------------------- the client


def make_settings(args):
    """The analysis settings of the options, checked here (a bad value is a usage error, exit
    2, before any cluster starts, as auralis-batch does)."""
    from auralis_native.analysis.spectrum_analyzer import SpectrumAnalyzer, SpectrumSettings

    settings = SpectrumSettings(
        fft_size=args.fft_size, overlap=args.overlap, frequency_bands=args.bands,
        frequency_weighting=args.weighting, window_type=args.window,
        smoothing_factor=args.smoothing, min_frequency=args.min_freq,
        max_frequency=args.max_freq, metric_convention=args.convention)
    SpectrumAnalyzer(settings)  # raises InvalidSettings naming the field
    return settings


def start_client(args):
    """A Client on --scheduler, or on a LocalCluster of this machine sized workers x threads =
    cores; the thread-cap plugin registered on every worker (present and future)."""
    from distributed import Client, LocalCluster

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
            (os.cpu_count() or 1)
        # Default: the largest divisor of the cores up to 4 as processes (a crash takes one
        # worker down, not the run), the rest as threads: workers x threads = cores exactly.
        n_workers = args.n_workers or max(d for d in range(1, min(cores, 4) + 1) if cores % d == 0)
        threads = args.threads_per_worker or max(1, cores // n_workers)
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads,
                               processes=True, dashboard_address=args.dashboard)
        client = Client(cluster)
    if hasattr(client, "register_plugin"):
        client.register_plugin(make_plugin())
    else:  # distributed < 2023.9
        client.register_worker_plugin(make_plugin())
    return client, cluster


def run(args, settings, todo, out):
    """Analyses `todo` on the cluster and writes the lines to `out` in order. Returns (ok,
    failed, audio seconds, total task threads)."""
    from distributed import as_completed

    t0 = time.monotonic()
    client, cluster = start_client(args)
    try:
        threads = sum(client.nthreads().values()) or 1
        log("cluster ready in %.1f s" % (time.monotonic() - t0))
        window = max(8, 4 * threads)  # files in flight: bounds the client's memory
        log("%d files on %d workers, %d threads" % (len(todo), len(client.nthreads()), threads))
        futures = {}
        results = {}
        pending = as_completed()
        submitted = written = ok = failed = 0
        seconds = 0.0

        def submit(i):
            key, path = todo[i]
            fut = client.submit(analyze_one, key, os.path.abspath(path), settings,
                                key="auralis-%d-%s" % (i, key), pure=False, retries=0)
            futures[fut] = i
            pending.add(fut)

        while submitted < len(todo) and submitted < window:
            submit(submitted)
            submitted += 1
        for fut in pending:
            i = futures.pop(fut)
            try:
                line = fut.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker, a task that failed to run
                line = {"path": todo[i][0], "ok": False,
                        "error": "%s: %s: %s" % (todo[i][0], type(exc).__name__, exc),
                        "kind": "internal"}
            results[i] = line
            if not line["ok"]:
                log(line["error"])
            while written in results:  # in order, as soon as every earlier line is there
                line = results.pop(written)
                out.write(json.dumps(line, ensure_ascii=False, allow_nan=False,
                                     separators=(",", ":")) + "\n")
                out.flush()
                if line["ok"]:
                    ok += 1
                    seconds += float(line.get("file", {}).get("duration", 0.0))
                else:
                    failed += 1
                written += 1
            while submitted < len(todo) and submitted < written + window:
                submit(submitted)
                submitted += 1
        return ok, failed, seconds, threads
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def build_parser():
    p = argparse.ArgumentParser(
        description="Analyses every audio file under the given files and directories on a "
        "dask.distributed cluster and writes one JSON line per file (auralis-batch's fields), "
        "in sorted path order. Exit codes: 0 all files ok, 1 the output cannot be written, "
        "2 usage error, 3 some files failed.")
    p.add_argument("inputs", nargs="+", help="audio files and directories; directories are "
                   "searched recursively for " + " ".join(AUDIO_EXTENSIONS) + " (any case)")
    g = p.add_argument_group("Batch")
    g.add_argument("--out", required=True, metavar="PATH",
                   help="JSON Lines output, '-' = stdout")
    g.add_argument("--resume", action="store_true",
                   help="keep the lines already in --out, skip their files, append the others")
    g.add_argument("--shard", default="1/1", metavar="K/N",
                   help="process shard K of N (1-based): files K, K+N, K+2N, ... of the sorted "
                   "list (default 1/1)")
    c = p.add_argument_group("Cluster")
    c.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running dask scheduler (e.g. tcp://host:8786); default: a "
                   "LocalCluster on this machine")
    c.add_argument("--n-workers", type=int, default=0, metavar="N",
                   help="LocalCluster worker processes (default: the largest divisor of the "
                   "cores up to 4)")
    c.add_argument("--threads-per-worker", type=int, default=0, metavar="T",
                   help="LocalCluster threads per worker (default cores / workers)")
    c.add_argument("--dashboard", default=None, metavar="ADDRESS",
                   help="LocalCluster dashboard address, e.g. :8787 (default: none)")
    a = p.add_argument_group("Analysis (as auralis-batch, docs/cli.md)")
    a.add_argument("--fft-size", type=int, default=4096, metavar="N",
                   help="FFT length in samples, 16..1048576 (default 4096)")
    a.add_argument("--overlap", type=float, default=0.75, metavar="X",
                   help="fraction of a frame shared with the next, in [0, 1) (default 0.75)")
    a.add_argument("--bands", type=int, default=64, metavar="B",
                   help="log-spaced frequency bands, 1..65536 (default 64)")
    a.add_argument("--weighting", default="A", type=str.upper, choices=["A", "C", "Z"],
                   help="frequency weighting (default A)")
    a.add_argument("--convention", default="auralis", type=str.lower,
                   choices=["auralis", "standard"], help="metric definitions (default auralis)")
    a.add_argument("--window", default="hann", type=str.lower,
                   choices=["hann", "hamming", "blackman", "rectangular"],
                   help="analysis window (default hann)")
    a.add_argument("--smoothing", type=float, default=0.8, metavar="A",
                   help="temporal smoothing in [0, 1), auralis convention only (default 0.8)")
    a.add_argument("--min-freq", type=float, default=20.0, metavar="HZ",
                   help="lowest band edge (default 20)")
    a.add_argument("--max-freq", type=float, default=20000.0, metavar="HZ",
                   help="highest band edge (default 20000)")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.resume and args.out == "-":
            raise UsageError("--resume needs --out to name a file")
        if args.n_workers < 0 or args.threads_per_worker < 0:
            raise UsageError("--n-workers and --threads-per-worker must be >= 0")
        k, n = parse_shard(args.shard)
        selected = collect_inputs(args.inputs)[k - 1::n]
        settings = make_settings(args)
    except UsageError as e:
        log("%s\nRun with --help for more information." % e)
        return EXIT_USAGE
    except ValueError as e:  # auralis_native.InvalidSettings
        log("invalid settings: %s" % e)
        return EXIT_USAGE

    previous = {}
    if args.resume:
        try:
            previous = read_previous(args.out)
        except OSError as e:
            log("error: %s: cannot resume: %s" % (args.out, e))
            return EXIT_FAILURE
    todo = [item for item in selected if item[0] not in previous]
    previous_failed = sum(1 for key, _ in selected if previous.get(key) is False)
    skipped = len(selected) - len(todo)
    if previous and skipped == 0 and todo:
        log("warning: none of the %d lines in %s names one of these files; --resume matches "
            "paths as written, so give the inputs as in the first run" % (len(previous), args.out))

    try:
        out = sys.stdout if args.out == "-" else \
            open(args.out, "a" if args.resume else "w", encoding="utf-8", newline="\n")
    except OSError as e:
        log("error: %s: cannot open the output for writing: %s" % (args.out, e))
        return EXIT_FAILURE
    start = time.monotonic()
    try:
        ok, failed, seconds, threads = run(args, settings, todo, out) if todo else (0, 0, 0.0, 0)
    except OSError as e:
        log("error: %s: %s" % (args.out, e))
        return EXIT_FAILURE
    finally:
        if out is not sys.stdout:
            out.close()
    wall = time.monotonic() - start
    log("%d files%s%s; analysed %d: %d ok, %d failed" % (
        len(selected), " (shard %d/%d)" % (k, n) if n > 1 else "",
        ", %d already in %s" % (skipped, args.out) if args.resume else "", len(todo), ok, failed))
    log("%.1f s of audio in %.2f s, realtime factor %.0fx, %d threads" % (
        seconds, wall, seconds / wall if wall > 0 else 0.0, threads))
    if previous_failed:
        log("%d files already failed in an earlier run" % previous_failed)
    return EXIT_SOME_FAILED if failed + previous_failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
