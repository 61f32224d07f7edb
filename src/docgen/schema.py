"""JSON Schemas generated from the models, for editors (VS Code's YAML extension) and docs."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from .certconfig import CertificateDefaults
from .config import Branding
from .model import Edition
from .stock import PrinterProfile

MODELS: dict[str, type[BaseModel]] = {
    "edition": Edition,
    "branding": Branding,
    "certificate": CertificateDefaults,
    "printer": PrinterProfile,
}


def json_schema(of: str = "edition") -> dict[str, Any]:
    schema = MODELS[of].model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def text(of: str = "edition") -> str:
    """The schema as the file schema/<of>.schema.json holds it (what `docgen schema` prints)."""
    return json.dumps(json_schema(of), ensure_ascii=False, indent=2) + "\n"
