"""Register schemas (installed as ``qianfen_xl.schemas``): the contract's sheets and columns
(``columns``) and the pandera schemas that check roster and incident-log frames (``register``)."""

from .register import incident_schema, roster_schema

__all__ = ["incident_schema", "roster_schema"]
