"""Every string the code and templates show has an Italian translation."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from server.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "web" / "translations"


def test_the_italian_catalogue_is_complete(tmp_path: Path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            Path(sys.executable).parent / "pybabel",
            "extract",
            "-F",
            TRANSLATIONS / "babel.cfg",
            "-k",
            "lazy_gettext",
            "-o",
            template,
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with (TRANSLATIONS / "it" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        italian = read_po(f, locale="it")
    translated = set()
    for message in italian:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and all(strings) and not message.fuzzy:
            translated.add(message.id if isinstance(message.id, str) else message.id[0])
    assert sorted(wanted - translated) == [], "run `make messages` and translate what is new"
