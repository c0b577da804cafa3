#!/usr/bin/env python3
"""Bootstrap the project's virtualenv and run the dashboard or the tests.

Usage:
    python3 run.py dashboard [streamlit args]   # start the Streamlit dashboard
    python3 run.py test [pytest args]           # run the test suite
    python3 run.py cli [args]                   # the command line: python -m data_pipeline [args]
    python3 run.py bench NAME [args]            # a benchmark: benchmarks/bench_NAME.py [args]
    python3 run.py --help

On first use this creates .venv, installs the pinned dependencies from
requirements.lock (hashes enforced by pip) and the project itself in
editable mode. The sha256 of requirements.lock is recorded in
.venv/.lock-hash, so later runs skip the install until the lock changes.

Standard library only; works on Linux, macOS and Windows
(on Windows use `py run.py ...` or `python run.py ...`).
"""

# Keep this file parseable by old Pythons (no walrus, no match) so that
# running it with Python < 3.11 prints a clear message instead of a
# SyntaxError.

import hashlib
import os
import shutil
import signal
import subprocess
import sys

MIN_PYTHON = (3, 11)
ROOT = os.path.dirname(os.path.abspath(__file__))
VENV_DIR = os.path.join(ROOT, ".venv")
LOCK_FILE = os.path.join(ROOT, "requirements.lock")
HASH_FILE = os.path.join(VENV_DIR, ".lock-hash")

USAGE = """\
usage: python3 run.py COMMAND [ARGS...]

commands:
  dashboard [streamlit args]   start the dashboard (streamlit run app.py --server.headless true)
  test [pytest args]           run the test suite with pytest (exit code is pytest's)
  cli [args]                   the command line tool (python -m data_pipeline [args]; try: cli --help)
  bench NAME [args]            run benchmarks/bench_NAME.py (ingest, figures, pages, memory)

The first run creates .venv and installs requirements.lock; later runs
reinstall only when requirements.lock has changed.
On Windows, use `py run.py ...` (or `python run.py ...`)."""


class BootstrapError(Exception):
    """A failure reported to the user as a single line."""


def say(msg):
    print("[run.py] " + msg, flush=True)


def venv_python():
    """Path of the venv's interpreter, or None if the venv has none."""
    candidates = [
        os.path.join(VENV_DIR, "Scripts", "python.exe"),  # Windows
        os.path.join(VENV_DIR, "bin", "python"),  # Linux, macOS
    ]
    if os.name != "nt":
        candidates.reverse()
    for path in candidates:
        if os.path.isfile(path):
            return path
    return None


def lock_hash():
    if not os.path.isfile(LOCK_FILE):
        raise BootstrapError("requirements.lock not found in " + ROOT)
    with open(LOCK_FILE, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def read_recorded_hash():
    try:
        with open(HASH_FILE, "r", encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return None


def run_checked(cmd, what):
    try:
        rc = subprocess.call(cmd, cwd=ROOT)
    except OSError as exc:
        raise BootstrapError("{} failed: {}".format(what, exc))
    if rc != 0:
        raise BootstrapError("{} failed (exit code {})".format(what, rc))


def create_venv():
    if os.path.isdir(VENV_DIR):
        # A .venv without an interpreter is unusable (interrupted creation,
        # or copied from another OS): start over.
        say(".venv has no Python interpreter; recreating it")
        shutil.rmtree(VENV_DIR)
    say("Creating virtual environment in .venv ...")
    try:
        rc = subprocess.call([sys.executable, "-m", "venv", VENV_DIR], cwd=ROOT)
    except OSError as exc:
        rc = str(exc)
    if rc != 0 or venv_python() is None:
        shutil.rmtree(VENV_DIR, ignore_errors=True)
        raise BootstrapError(
            "could not create .venv with {} -m venv (on Debian/Ubuntu: "
            "apt-get install python3-venv)".format(sys.executable)
        )


def ensure_venv():
    """Create/refresh .venv as needed and return its interpreter path."""
    wanted = lock_hash()
    python = venv_python()
    if python is None:
        create_venv()
        python = venv_python()
    elif read_recorded_hash() == wanted:
        return python  # up to date: start instantly
    else:
        say("requirements.lock changed (or last install incomplete); updating .venv")

    # Forget the old hash first, so an interrupted install is retried next time.
    if os.path.exists(HASH_FILE):
        os.remove(HASH_FILE)

    say("Installing pinned dependencies from requirements.lock (can take a few minutes) ...")
    run_checked(
        [python, "-m", "pip", "install", "--disable-pip-version-check",
         "--require-hashes", "-r", LOCK_FILE],
        "pip install -r requirements.lock",
    )
    say("Installing the project in editable mode ...")
    run_checked(
        [python, "-m", "pip", "install", "--disable-pip-version-check",
         "--quiet", "--no-deps", "-e", ROOT],
        "pip install --no-deps -e .",
    )
    with open(HASH_FILE, "w", encoding="ascii") as fh:
        fh.write(wanted + "\n")
    say(".venv is ready")
    return python


def run_child(cmd, env=None):
    """Run the final command and return its exit code. Ctrl+C reaches the child too
    (same process group) and we wait for it; SIGTERM (a service manager stopping
    the dashboard) is passed on to the child, so no server is left behind."""
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    except OSError as exc:
        raise BootstrapError("could not start {}: {}".format(cmd[0], exc))

    def forward(signum, frame):
        try:
            proc.send_signal(signum)
        except OSError:
            pass

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, forward)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, forward)
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            # The child got the same Ctrl+C; let it shut down cleanly.
            continue


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, args = argv[0], argv[1:]
    if command not in ("dashboard", "test", "cli", "bench"):
        print("run.py: unknown command {!r} (try: python3 run.py --help)".format(command),
              file=sys.stderr)
        return 2

    if sys.version_info < MIN_PYTHON:
        raise BootstrapError(
            "Python {}.{}+ is required, but this is {} ({})".format(
                MIN_PYTHON[0], MIN_PYTHON[1], sys.version.split()[0], sys.executable)
        )

    python = ensure_venv()

    if command == "dashboard":
        if not os.path.isfile(os.path.join(ROOT, "app.py")):
            raise BootstrapError("app.py not found in " + ROOT)
        say("Starting dashboard (Ctrl+C to stop) ...")
        cmd = [python, "-m", "streamlit", "run", "app.py",
               "--server.headless", "true"] + args
    elif command == "cli":
        return run_child([python, "-m", "data_pipeline"] + args)
    elif command == "bench":
        names = sorted(f[6:-3] for f in os.listdir(os.path.join(ROOT, "benchmarks"))
                       if f.startswith("bench_") and f.endswith(".py"))
        if not args or args[0] not in names:
            raise BootstrapError("bench needs one of: " + ", ".join(names))
        env = dict(os.environ)
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        script = os.path.join(ROOT, "benchmarks", "bench_{}.py".format(args[0]))
        return run_child([python, script] + args[1:], env=env)
    else:
        say("Running tests: " + " ".join(["pytest"] + args))
        cmd = [python, "-m", "pytest"] + args
    return run_child(cmd)


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    except BootstrapError as exc:
        print("run.py: error: {}".format(exc), file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print("run.py: interrupted", file=sys.stderr)
        code = 130
    except Exception as exc:  # keep failures to one line for office users
        print("run.py: error: {}: {}".format(type(exc).__name__, exc), file=sys.stderr)
        code = 1
    sys.exit(code)
