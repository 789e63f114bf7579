"""Register schemas (installed as ``qianfen_xl.schemas``): the contract's sheets and columns
(``columns``), the pandera schemas that check roster and incident-log frames
(``register``), and those of the year: the roster's facts and the annual register's
decisions (``annual``)."""

from qianfen_xl.schemas.annual import decisions_schema, roster_facts_schema
from qianfen_xl.schemas.register import (
    assessment_schema,
    ballot_schema,
    incident_schema,
    roster_schema,
)

__all__ = ["assessment_schema", "ballot_schema", "decisions_schema", "incident_schema",
           "roster_facts_schema", "roster_schema"]
