"""The same settings file in both modes, started as a real process with a clean environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3P9-production-test-key-that-is-long-and-random-enough-1f8c2a7d",
    "DATABASE_URL": "postgres://pasar@127.0.0.1:5432/pasar",
    "ALLOWED_HOSTS": "shop.example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "DEBUG", "SQLITE_PATH"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "REDIS_URL"])
def test_production_refuses_to_start_without_a_required_value_and_names_it(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"DJANGO_ENV=production needs these environment variables (see .env.example):\n  {missing}:" in result.stderr


def test_production_settings_pass_the_deployment_checklist_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_local_mode_needs_no_configuration_at_all(tmp_path):
    result = manage("check", env={"SQLITE_PATH": str(tmp_path / "db.sqlite3")})
    assert result.returncode == 0, result.stderr


def test_production_offers_bank_transfer_only_with_the_account_to_show_shoppers():
    show = [
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(','.join(settings.PAYMENT_METHODS))",
    ]
    assert manage(*show, env=PRODUCTION).stdout.strip() == "cod"
    account = {"BANK_ACCOUNT_NAME": "Pasar Ltd", "BANK_IBAN": "GB33BUKB20201555555555"}
    assert manage(*show, env={**PRODUCTION, **account}).stdout.strip() == "cod,bank"
    refused = manage("check", env={**PRODUCTION, "PAYMENT_METHODS": "cod,bank"})
    assert refused.returncode != 0 and "PAYMENT_METHODS offers bank: set BANK_ACCOUNT_NAME" in refused.stderr
