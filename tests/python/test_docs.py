"""Every catalog device is documented, and docs/devices.md is the reference generated from
those docs (regenerate: python -m mirage_tools.catalog_doc > docs/devices.md)."""
from mirage_tools.catalog_doc import entries, render
from tests.sconsrun import ROOT


def test_every_catalog_device_has_documentation():
    undocumented = [name for name, _, doc in entries() if len(doc.strip()) < 10]
    assert undocumented == []


def test_device_reference_is_up_to_date():
    assert (ROOT / "docs" / "devices.md").read_text() == render()
