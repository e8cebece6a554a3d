"""Shared behaviour of result objects: tidy ``to_frame``, text ``summary``, HTML repr.

Results are frozen dataclasses with stable ``snake_case`` fields. Subclasses
list the scalar fields that make up their one-row frame in ``_frame_fields``
and implement ``summary``.
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any, ClassVar

import numpy as np
import pandas as pd


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


class ResultMixin:
    """Mixin for frozen result dataclasses."""

    _frame_fields: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """The scalar fields as a plain ``dict`` (JSON-friendly)."""
        names = self._frame_fields or tuple(
            f.name for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if np.ndim(getattr(self, f.name)) == 0
            and not dataclasses.is_dataclass(getattr(self, f.name))
        )
        return {name: _scalar(getattr(self, name)) for name in names}

    def to_frame(self) -> pd.DataFrame:
        """One tidy row, so that ``pd.concat`` works across analyses."""
        return pd.DataFrame([self.to_dict()])

    def summary(self) -> str:  # pragma: no cover - overridden
        return repr(self)

    def _repr_html_(self) -> str:
        table = self.to_frame().to_html(index=False, float_format=lambda x: f"{x:.4g}")
        text = html.escape(self.summary())
        return f"<div><pre>{text}</pre>{table}</div>"


class BatchResultMixin(ResultMixin):
    """Results whose fields are scalars for one analysis or arrays for a batch.

    Vectorized functions (e.g. for power simulations) return one result whose
    fields are arrays with one entry per analysed data set; ``to_frame`` gives
    one row per analysis in either case.
    """

    @property
    def is_batch(self) -> bool:
        """True when the fields are arrays (one entry per analysed data set)."""
        return any(np.ndim(getattr(self, name)) > 0 for name in self._frame_fields)

    def to_dict(self) -> dict[str, Any]:
        """The frame fields as a plain ``dict`` (for a batch, values are arrays)."""
        return {name: _scalar(getattr(self, name)) for name in self._frame_fields}

    def _t_lines(self, df_format: str = "g") -> list[str]:
        """Summary lines of a t-based result: the estimate with its interval, then t and p.

        For one analysis (not a batch); ``df_format`` formats the degrees of freedom
        (``"g"`` for whole numbers, ``".4g"`` for Welch-Satterthwaite df).
        """
        pct = f"{100 * self.confidence_level:g}%"  # type: ignore[attr-defined]
        r: Any = self
        return [f"estimate = {r.estimate:.4g} ({pct} CI {r.ci_low:.4g} to {r.ci_high:.4g})",
                f"t({r.df:{df_format}}) = {r.statistic:.4g}, p = {r.pvalue:.4g}"]

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per analysis, so that ``pd.concat`` works across analyses."""
        data = self.to_dict()
        if not self.is_batch:
            return pd.DataFrame([data])
        n = max(np.size(v) for v in data.values() if np.ndim(v) > 0)
        return pd.DataFrame({k: np.asarray(v) if np.ndim(v) else np.full(n, v, dtype=object)
                             for k, v in data.items()})
