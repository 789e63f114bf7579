"""Register schemas (installed as ``qianfen_xl.schemas``): the contract's sheets and columns
(``columns``) and the pandera schemas that check roster and incident-log frames (``register``)."""

from .register import RegisterContext, incident_schema, roster_schema, summary_schema

__all__ = ["RegisterContext", "incident_schema", "roster_schema", "summary_schema"]
