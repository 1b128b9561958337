"""Every setting any process reads is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.audit.settings import AuditSettings
from services.case_api.settings import ApiSettings
from services.notifier.settings import NotifierSettings
from services.projector.settings import ProjectorSettings
from services.scheduler.settings import SchedulerSettings
from services.settings import Settings
from services.translator.settings import TranslatorSettings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
CLASSES = (
    Settings,
    ApiSettings,
    ProjectorSettings,
    SchedulerSettings,
    NotifierSettings,
    TranslatorSettings,
    AuditSettings,
)


@pytest.mark.parametrize("settings", CLASSES, ids=lambda c: c.__name__)
def test_every_setting_is_in_the_readme(settings: type[Settings]) -> None:
    missing = [
        f"REDRESS_{name.upper()}"
        for name in settings.model_fields
        if f"`REDRESS_{name.upper()}`" not in README
    ]
    assert not missing, f"document these in README.md, section Configure: {missing}"
