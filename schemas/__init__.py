"""Register schemas (installed as ``qianfen_xl.schemas``): the contract's sheets and columns
(``columns``) and the pandera schemas that check roster and incident-log frames (``register``)."""

from qianfen_xl.schemas.register import (
    assessment_schema,
    ballot_schema,
    incident_schema,
    roster_schema,
)

__all__ = ["assessment_schema", "ballot_schema", "incident_schema", "roster_schema"]
