"""Settings: reading AIPOSTS_* variables, client arguments, and their documentation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from indexer.config import PREFIX, Settings, documented_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_without_environment() -> None:
    settings = Settings.from_env({})
    assert settings.es_url == "http://127.0.0.1:9200"
    assert settings.es_version == "9.5.4"
    assert settings.es_port == 9200
    assert settings.index == "aiposts"
    assert settings.es_wait == 2.0


def test_values_come_from_prefixed_variables() -> None:
    settings = Settings.from_env({
        "AIPOSTS_ES_URL": "http://a:9200, http://b:9200,",
        "AIPOSTS_ES_PORT": "9301",
        "AIPOSTS_ES_WAIT": "0.5",
        "AIPOSTS_CACHE_DIR": "/tmp/somewhere",
        "AIPOSTS_INDEX": "",  # empty means unset
        "ES_PORT": "1",  # no prefix: ignored
    })
    assert settings.es_hosts == ["http://a:9200", "http://b:9200"]
    assert settings.es_port == 9301
    assert settings.es_wait == 0.5
    assert settings.cache_dir == Path("/tmp/somewhere")
    assert settings.index == "aiposts"


def test_invalid_values_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Settings.from_env({"AIPOSTS_ES_PORT": "not-a-port"})


def test_client_kwargs_prefer_api_key_over_basic_auth() -> None:
    base = {"AIPOSTS_ES_USERNAME": "u", "AIPOSTS_ES_PASSWORD": "p"}
    kwargs = Settings.from_env(base).es_client_kwargs()
    assert kwargs["basic_auth"] == ("u", "p")
    assert "api_key" not in kwargs
    kwargs = Settings.from_env({**base, "AIPOSTS_ES_API_KEY": "k"}).es_client_kwargs()
    assert kwargs["api_key"] == "k"
    assert "basic_auth" not in kwargs
    kwargs = Settings.from_env({"AIPOSTS_ES_TIMEOUT": "3"}).es_client_kwargs()
    assert kwargs["request_timeout"] == 3.0
    assert "basic_auth" not in kwargs and "api_key" not in kwargs


def test_every_setting_is_documented_in_the_readme() -> None:
    rows = documented_settings()
    assert [r[0] for r in rows] == [PREFIX + n.upper() for n in Settings.model_fields]
    assert all(description for _, _, description in rows)
    readme = README.read_text(encoding="utf-8")
    missing = [name for name, _, _ in rows if f"`{name}`" not in readme]
    assert not missing, f"README.md lacks {missing}"
