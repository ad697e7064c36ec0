"""`python3 -m govweb …` from a fresh clone: make the virtual environment, then run the CLI.

Only the standard library is used before the re-exec into .venv, so a machine with nothing but
python3 can run the demo (`python3 -m govweb up`) and the tests (`python3 -m govweb test`).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
UV_VERSION = "0.13.9"
STAMP = VENV / ".govweb-synced"


def _in_project_venv():
    return Path(sys.prefix).resolve() == VENV.resolve()


def _needs_sync():
    lock = ROOT / "uv.lock"
    return not STAMP.exists() or STAMP.stat().st_mtime < max(
        lock.stat().st_mtime, (ROOT / "pyproject.toml").stat().st_mtime
    )


def bootstrap():
    """Create .venv and install the locked dependencies when missing or out of date."""
    if not VENV_PYTHON.exists():
        print("govweb: creating .venv …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    uv = VENV / "bin" / "uv"
    if not uv.exists():
        subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"],
                       check=True)
    if _needs_sync():
        print("govweb: installing locked dependencies (uv sync --locked) …", flush=True)
        # The system certificate store: registries may sit behind an organisation's TLS proxy.
        env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(VENV), UV_SYSTEM_CERTS="1")
        subprocess.run([str(uv), "sync", "--locked", "--quiet"], cwd=ROOT, env=env, check=True)
        STAMP.touch()


def run_tests(args):
    """The README's test command: pytest over the whole suite."""
    # Two workers: the machines have two cores; each worker loads the demo cluster once.
    parallel = [] if any(a.startswith("-n") for a in args) else ["-n", "2", "--dist", "loadfile"]
    cmd = [sys.executable, "-m", "pytest", *parallel, *args]
    return subprocess.run(cmd, cwd=ROOT).returncode


def main():
    argv = sys.argv[1:]
    if not _in_project_venv():
        bootstrap()
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), "-m", "govweb", *argv])
    if argv[:1] == ["test"]:
        return run_tests(argv[1:])
    from govweb.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
