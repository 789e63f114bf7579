"""The worksheet functions under the module name Excel knows them by.

``xlwings.conf`` (``UDF_MODULES = qianfen_xl.udfs``), the VBA wrappers in ``macros/`` and
the xlwings Server project all name this module; the functions live in
:mod:`qianfen_xl.excel.udfs`.
"""

from qianfen_xl.excel.udfs import (
    QF_CHECK,
    QF_DEPT,
    QF_GRADE,
    QF_NORM,
    QF_PERSON,
    QF_POINTS,
    QF_RANK,
    QF_SCORES,
    QF_TRIMMED_MEAN,
    UDFS,
)

__all__ = ["QF_CHECK", "QF_DEPT", "QF_GRADE", "QF_NORM", "QF_PERSON", "QF_POINTS", "QF_RANK",
           "QF_SCORES", "QF_TRIMMED_MEAN", "UDFS"]
