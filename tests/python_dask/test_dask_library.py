# SPDX-License-Identifier: GPL-3.0-or-later
"""examples/python/dask_library.py against auralis-batch (issue 15, acceptance 4).

A 2-worker LocalCluster analyses a generated library of 20 files (2 corrupt: random bytes and a
truncated WAV, plus a short file, a float WAV, stereo, three sample rates, an upper-case
extension in a subdirectory and a non-audio file that must be ignored). Per path, its lines
must equal auralis-batch's for the same files, except the fields that describe the run
(settings.workers, settings.parallel_processing). --resume after a killed run must give one
line per file, the same lines. A file whose task kills its worker gets an "internal" line and
the others their results; the worker plugin caps the library's threads at the worker's.

Environment:
  AURALIS_BATCH   the auralis-batch program (default: `auralis-batch` on PATH, else
                  build/examples/auralis-batch of this checkout); skipped when not found.
  AURALIS_PYTHON  the interpreter that runs the example, with auralis_native and
                  dask.distributed installed (default: the one running pytest, i.e. the venv).
Skipped, with the reason, when dask.distributed or auralis_native is not importable there.

Run:  AURALIS_BATCH=build/examples/auralis-batch <venv>/bin/python -m pytest tests/python_dask
"""

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "python" / "dask_library.py"
RUN_FIELDS = ("workers", "parallel_processing")  # settings.* that describe the run
TIMEOUT = 300


def find_batch():
    env = os.environ.get("AURALIS_BATCH")
    if env:
        if not os.access(env, os.X_OK):
            pytest.fail("AURALIS_BATCH=%s is not an executable file" % env)
        return env
    found = shutil.which("auralis-batch")
    if found:
        return found
    local = REPO / "build" / "examples" / "auralis-batch"
    if os.access(local, os.X_OK):
        return str(local)
    pytest.skip("auralis-batch not found: set AURALIS_BATCH to the program (built from "
                "examples/ with libsndfile) or put it on PATH")


def python_for_example():
    python = os.environ.get("AURALIS_PYTHON", sys.executable)
    probe = subprocess.run([python, "-c", "import distributed, auralis_native"],
                           capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        missing = "dask.distributed" if "distributed" in probe.stderr else "auralis_native"
        pytest.skip("%s is not importable by %s (pip install 'dask[distributed]' and the "
                    "package from python/; AURALIS_PYTHON picks another interpreter): %s"
                    % (missing, python, probe.stderr.strip().splitlines()[-1:]))
    return python


# ---------------------------------------------------------------------------- the library


def wav_bytes(samples, rate, channels, fmt):
    """A RIFF/WAVE file: fmt 'pcm16' or 'float32'; samples interleaved, in [-1, 1)."""
    if fmt == "pcm16":
        tag, bits = 1, 16
        data = struct.pack("<%dh" % len(samples),
                           *(max(-32768, min(32767, int(round(s * 32768)))) for s in samples))
    else:
        tag, bits = 3, 32
        data = struct.pack("<%df" % len(samples), *samples)
    block = channels * bits // 8
    fmt_chunk = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk
    if tag == 3:
        body += b"fact" + struct.pack("<II", 4, len(samples) // channels)
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def tone(frames, rate, channels, freq, seed):
    """Interleaved harmonics of `freq` plus a little deterministic noise (an LCG)."""
    import math

    state = seed * 2654435761 % 2**32
    out = []
    for n in range(frames):
        t = n / rate
        for c in range(channels):
            state = (1664525 * state + 1013904223) % 2**32
            noise = (state / 2**32 - 0.5) * 0.02
            value = sum(0.3 / k * math.sin(2 * math.pi * freq * k * (c + 1) * t)
                        for k in range(1, 4))
            out.append(0.8 * value + noise)
    return out


def make_library(root):
    """20 files the walk finds (18 audio, 2 corrupt) plus one it must ignore."""
    root.mkdir()
    (root / "album").mkdir()
    (root / "album" / "disc 2").mkdir()
    specs = []  # (relative path, frames, rate, channels, format)
    rates = (44100, 48000, 22050)
    for i in range(15):
        rate = rates[i % 3]
        frames = int(rate * (0.4 + 0.15 * i))
        channels = 1 + i % 2
        folder = ("", "album/", "album/disc 2/")[i % 3]
        specs.append(("%strack %02d.wav" % (folder, i), frames, rate, channels, "pcm16"))
    specs.append(("album/float.wav", 30000, 44100, 2, "float32"))
    specs.append(("album/disc 2/SHOUT.WAV", 50000, 44100, 1, "pcm16"))
    specs.append(("short.wav", 2000, 44100, 1, "pcm16"))  # shorter than one 4096 frame
    for i, (rel, frames, rate, channels, fmt) in enumerate(specs):
        samples = tone(frames, rate, channels, 110.0 * (i + 1), i + 1)
        (root / rel).write_bytes(wav_bytes(samples, rate, channels, fmt))
    # Corrupt 1: random bytes under an audio name.
    state = 12345
    junk = bytearray()
    for _ in range(5000):
        state = (1103515245 * state + 12345) % 2**31
        junk.append(state >> 16 & 0xFF)
    (root / "album" / "corrupt.wav").write_bytes(bytes(junk))
    # Corrupt 2: a valid header declaring 2 s, cut after 0.1 s of data.
    full = wav_bytes(tone(88200, 44100, 1, 330.0, 99), 44100, 1, "pcm16")
    (root / "truncated.wav").write_bytes(full[:44 + 8820])
    (root / "notes.txt").write_text("not audio, not listed\n")
    return 20


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def without_run_fields(line):
    line = json.loads(json.dumps(line))
    for field in RUN_FIELDS:
        line.get("settings", {}).pop(field, None)
    return line


def run_example(python, *args):
    return subprocess.run([python, str(EXAMPLE), *args, "--n-workers", "2",
                           "--threads-per-worker", "1"],
                          capture_output=True, text=True, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    batch = find_batch()
    python = python_for_example()
    tmp = tmp_path_factory.mktemp("dask_library")
    lib = tmp / "lib"
    count = make_library(lib)
    ref_out, dask_out = tmp / "batch.jsonl", tmp / "dask.jsonl"
    ref = subprocess.run([batch, str(lib), "--out", str(ref_out), "--workers", "2"],
                         capture_output=True, text=True, timeout=TIMEOUT)
    assert ref.returncode == 3, ref.stderr  # 3: some files failed, the others have results
    res = run_example(python, str(lib), "--out", str(dask_out))
    return {"python": python, "lib": lib, "tmp": tmp, "count": count, "ref": ref_out,
            "dask": dask_out, "result": res}


def test_exit_code_and_one_line_per_file(runs):
    res = runs["result"]
    assert res.returncode == 3, res.stderr  # as auralis-batch: some files failed
    lines = read_lines(runs["dask"])
    paths = [line["path"] for line in lines]
    assert len(paths) == runs["count"] == len(set(paths))
    assert paths == sorted(paths, key=lambda p: p.encode("utf-8"))
    assert not any(p.endswith(".txt") for p in paths)
    assert "20 files; analysed 20: 18 ok, 2 failed" in res.stderr


def test_same_results_as_auralis_batch_per_path(runs):
    ref = {line["path"]: line for line in read_lines(runs["ref"])}
    got = {line["path"]: line for line in read_lines(runs["dask"])}
    assert sorted(got) == sorted(ref)
    for path in ref:
        assert list(got[path]) == list(ref[path]), path  # same keys, same order
        assert without_run_fields(got[path]) == without_run_fields(ref[path]), path


def test_errors_are_isolated_lines(runs):
    lines = {Path(line["path"]).name: line for line in read_lines(runs["dask"])}
    bad = {name: line for name, line in lines.items() if not line["ok"]}
    assert sorted(bad) == ["corrupt.wav", "truncated.wav"]
    assert bad["corrupt.wav"]["kind"] == "not_audio"
    assert bad["truncated.wav"]["kind"] == "truncated"
    for name, line in bad.items():
        assert set(line) == {"path", "ok", "error", "kind"}
        assert line["path"] in line["error"]
    assert lines["short.wav"]["ok"] and lines["float.wav"]["ok"]


def load_example():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dask_library_example", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example
    spec.loader.exec_module(example)
    return example


def test_a_file_that_kills_its_worker_gets_an_internal_line(tmp_path):
    """Isolation beyond the library's errors: the task of one file kills its worker process
    every time (as a crash or the OOM killer would); Dask retries it on other workers, then the
    file gets an error line of kind "internal" and the other files their results."""
    pytest.importorskip("distributed", reason="dask.distributed not installed")
    pytest.importorskip("auralis_native", reason="auralis_native not installed")
    import io

    import cloudpickle

    example = load_example()
    cloudpickle.register_pickle_by_value(example)  # the workers cannot import it by name
    try:
        lib = tmp_path / "lib"
        lib.mkdir()
        for i, name in enumerate(("a.wav", "crash.wav", "c.wav")):
            (lib / name).write_bytes(wav_bytes(tone(8192, 44100, 1, 220.0 * (i + 1), i), 44100,
                                               1, "pcm16"))
        real = example.analyze_one

        def crashing(key, path, settings):
            if key.endswith("crash.wav"):
                os._exit(1)
            return real(key, path, settings)

        example.analyze_one = crashing
        args = example.build_parser().parse_args(
            [str(lib), "--out", "-", "--n-workers", "2", "--threads-per-worker", "1"])
        out = io.StringIO()
        ok, failed, _, _ = example.run(args, example.make_settings(args),
                                       example.collect_inputs([str(lib)]), out)
    finally:
        cloudpickle.unregister_pickle_by_value(example)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [Path(line["path"]).name for line in lines] == ["a.wav", "c.wav", "crash.wav"]
    assert (ok, failed) == (2, 1)
    crash = lines[2]
    assert crash["ok"] is False and crash["kind"] == "internal"
    assert "KilledWorker" in crash["error"]
    assert lines[0]["ok"] and lines[1]["ok"]


def test_worker_plugin_caps_library_threads():
    """The example's worker plugin caps the library's thread pool on every worker at the
    worker's task threads (here 1): 2 workers x 1 thread = 2 cores, not 2 x 2."""
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed")
    auralis_native = pytest.importorskip("auralis_native", reason="auralis_native not installed")
    example = load_example()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        before = client.run(auralis_native.available_workers)
        client.register_plugin(example.make_plugin())
        after = client.run(auralis_native.available_workers)
        hardware = client.run(auralis_native.hardware_workers)
    assert len(after) == 2
    assert set(after.values()) == {1}
    assert before == hardware  # no cap before the plugin: the test can see a change


def test_resume_after_a_killed_run(runs):
    full = runs["dask"].read_bytes().split(b"\n")[:-1]
    killed = runs["tmp"] / "resumed.jsonl"
    # 7 complete lines, then half of the 8th: the run died while writing it.
    killed.write_bytes(b"\n".join(full[:7]) + b"\n" + full[7][: len(full[7]) // 2])
    res = run_example(runs["python"], str(runs["lib"]), "--out", str(killed), "--resume")
    assert res.returncode == 3, res.stderr
    assert "dropping an incomplete last line" in res.stderr
    assert "20 files, 7 already in" in res.stderr and "analysed 13:" in res.stderr
    got = read_lines(killed)
    want = [json.loads(line) for line in full]
    assert [line["path"] for line in got] == [line["path"] for line in want]
    for a, b in zip(got, want):
        assert without_run_fields(a) == without_run_fields(b)
    # A second --resume has nothing left to do and adds nothing.
    again = run_example(runs["python"], str(runs["lib"]), "--out", str(killed), "--resume")
    assert again.returncode == 3, again.stderr  # the 2 error lines kept count as failures
    assert read_lines(killed) == got
