"""The HS256 key: long enough, kept where only its owner reads it, or the service says
how to configure one instead of starting (or dying with a trace)."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from domain.values import Role
from infrastructure import tokens as tokens_module
from infrastructure.settings import Settings
from infrastructure.tokens import MIN_SECRET_BYTES, SecretRefused, Tokens, make_secret_file


def _settings(**values: object) -> Settings:
    return Settings(database_url="sqlite://", **values)  # type: ignore[arg-type]


def _file(tmp_path: Path, content: str, mode: int = 0o600) -> Path:
    path = tmp_path / "fundcase_secret"
    path.write_text(content)
    path.chmod(mode)
    return path


def test_a_key_of_32_bytes_signs_and_one_of_31_is_refused_naming_the_variable() -> None:
    assert MIN_SECRET_BYTES == 32
    Tokens(_settings(secret=SecretStr("k" * 32)))
    with pytest.raises(
        SecretRefused, match=r"FUNDCASE_SECRET holds a key of 31 bytes.*at least 32"
    ):
        Tokens(_settings(secret=SecretStr("k" * 31)))


def test_a_one_byte_or_empty_key_is_refused() -> None:
    for short in ("x", ""):
        with pytest.raises(SecretRefused, match="at least 32"):
            Tokens(_settings(secret=SecretStr(short)))


def test_bytes_count_not_characters() -> None:
    Tokens(_settings(secret=SecretStr("å" * 16)))  # 32 bytes in UTF-8


def test_a_secret_file_is_read_without_its_line_end(tmp_path: Path) -> None:
    key = "f" * 48
    from_file = Tokens(_settings(secret_file=_file(tmp_path, key + "\n")))
    from_env = Tokens(_settings(secret=SecretStr(key)))
    token = from_file.issue(subject="a", name="A", roles=[Role.OFFICIAL])
    assert from_env.verify(token).subject == "a"


def test_a_short_key_in_a_secret_file_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, "short\n")
    shown = re.escape(str(path))
    with pytest.raises(SecretRefused, match=rf"secret file {shown} holds a key of 5 bytes"):
        Tokens(_settings(secret_file=path))


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o602, 0o700 | 0o040])
def test_a_secret_file_others_may_read_is_refused_with_chmod_600(tmp_path: Path, mode: int) -> None:
    path = _file(tmp_path, "k" * 48, mode)
    told = rf"mode {stat.S_IMODE(mode):04o}\): chmod 600 {re.escape(str(path))}"
    with pytest.raises(SecretRefused, match=told):
        Tokens(_settings(secret_file=path))


def test_a_missing_secret_file_is_refused_saying_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SecretRefused, match=r"does not exist.*fundcase make-secret"):
        Tokens(_settings(secret_file=tmp_path / "nowhere"))


def test_a_key_and_a_key_file_together_are_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, "k" * 48)
    with pytest.raises(SecretRefused, match="both set"):
        Tokens(_settings(secret=SecretStr("k" * 48), secret_file=path))


def test_without_a_secret_a_developer_machine_keeps_one_in_a_0600_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = Tokens(_settings())
    kept = tmp_path / ".fundcase-secret"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(kept.read_bytes()) >= MIN_SECRET_BYTES
    token = first.issue(subject="a", name="A", roles=[Role.OFFICIAL])
    assert Tokens(_settings()).verify(token).subject == "a"  # the same key next time
    kept.chmod(0o644)
    with pytest.raises(SecretRefused, match="chmod 600"):
        Tokens(_settings())


def test_without_a_secret_where_none_can_be_kept_the_message_says_how_to_configure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (A folder the service may not write is tried for real, as uid 10001, in
    # tests/test_deployment.py; here the folder is simply not there.)
    monkeypatch.setattr(tokens_module, "LOCAL_SECRET_FILE", tmp_path / "gone" / ".fundcase-secret")
    with pytest.raises(SecretRefused) as refused:
        Tokens(_settings())
    message = str(refused.value)
    assert "no secret is configured" in message
    assert "FUNDCASE_SECRET_FILE" in message
    assert "fundcase make-secret" in message


def test_make_secret_writes_once_and_keeps_what_is_there(tmp_path: Path) -> None:
    path = tmp_path / "fundcase_secret"
    assert make_secret_file(path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text()
    assert make_secret_file(path) is False
    assert path.read_text() == key
    Tokens(_settings(secret_file=path))
