import pytest
from django.core.exceptions import ImproperlyConfigured

from ppaos.lib.env import env_bool, env_int, env_list, env_str


def test_a_file_named_by_name_file_wins_over_the_variable(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-the-file\n")
    monkeypatch.setenv("PPAOS_X", "from-the-variable")
    monkeypatch.setenv("PPAOS_X_FILE", str(secret))
    assert env_str("PPAOS_X", "default") == "from-the-file"


def test_every_type_reads_files(monkeypatch, tmp_path):
    for name, text in {"B": "false", "I": "42", "L": "key-1\nkey-2, key-3"}.items():
        (tmp_path / name).write_text(text)
        monkeypatch.setenv(f"PPAOS_{name}_FILE", str(tmp_path / name))
    assert env_bool("PPAOS_B", True) is False
    assert env_int("PPAOS_I", 0) == 42
    assert env_list("PPAOS_L", []) == ["key-1", "key-2", "key-3"]


def test_a_missing_secret_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PPAOS_X_FILE", str(tmp_path / "nowhere"))
    with pytest.raises(ImproperlyConfigured, match="PPAOS_X_FILE"):
        env_str("PPAOS_X", "")
