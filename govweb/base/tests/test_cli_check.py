"""`govweb check` refuses dangerous configurations with a non-zero exit."""

import os
import subprocess
import sys


def run_check(tmp_path, role=None, **env):
    full_env = {k: v for k, v in os.environ.items()
                if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "GOVWEB_MODE"}}
    full_env.update(GOVWEB_DATA_DIR=str(tmp_path), **env)
    args = [sys.executable, "-m", "govweb", "check"] + (["--role", role] if role else [])
    return subprocess.run(args, env=full_env, capture_output=True, text=True, timeout=120)


def test_default_demo_configuration_passes(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[public] ok" in result.stdout and "[admin] ok" in result.stdout


def test_public_role_with_admin_routes_fails(tmp_path):
    result = run_check(
        tmp_path, role="public",
        DJANGO_SETTINGS_MODULE="govweb.base.tests.settings_public_with_admin",
    )
    assert result.returncode == 1
    assert "govweb.E001" in result.stdout and "/admin/" in result.stdout


def test_debug_in_production_fails(tmp_path):
    result = run_check(tmp_path, GOVWEB_MODE="production", SECRET_KEY="x" * 50, DEBUG="1")
    assert result.returncode == 1
    assert "govweb.E002" in result.stdout


def test_production_without_secret_key_fails(tmp_path):
    result = run_check(tmp_path, GOVWEB_MODE="production")
    assert result.returncode == 1
    assert "SECRET_KEY must be set" in result.stdout


def test_an_edge_mirror_directory_the_public_role_cannot_write_fails(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run_check(tmp_path, role="public", GOVWEB_EDGE_MIRROR_DIR=str(blocker / "mirror"))
    assert result.returncode == 1
    assert "govweb.E003" in result.stdout
    assert run_check(tmp_path, role="public", GOVWEB_EDGE_MIRROR_DIR=str(tmp_path / "mirror")).returncode == 0
