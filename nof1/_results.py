"""Shared behaviour of result objects: tidy ``to_frame``, text ``summary``, HTML repr.

Results are frozen dataclasses with stable ``snake_case`` fields. Subclasses
list the scalar fields that make up their one-row frame in ``_frame_fields``
and implement ``summary``.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # pandas is imported where a frame is built: a result needs numpy only
    import pandas as pd


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


class Deferred:
    """A value built on first access, for a :class:`deferrable` field.

    :func:`nof1.analyze` computes every number at once but fills many tables (period
    means, the rows of every analysis, the sensitivity analyses) that a caller often
    never reads; building a pandas frame costs far more than the numbers in it. The
    numbers are captured when the result is made; only the table is built later.
    """

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], Any]):
        self.build = build


_NO_DEFAULT = object()


class deferrable:  # noqa: N801  (used like ``dataclasses.field``)
    """Data descriptor for a dataclass field that may be given a :class:`Deferred`.

    Reading the field builds a deferred value once and keeps it, so the field reads as
    an ordinary attribute (the same object on every access); ``dataclasses.replace``,
    ``repr`` and pickling see the built value. ``default`` may itself be Deferred (a
    fresh value per instance).

    Examples
    --------
    >>> import dataclasses
    >>> @dataclasses.dataclass(frozen=True)
    ... class R:
    ...     table: list = deferrable()
    >>> calls = []
    >>> r = R(Deferred(lambda: calls.append(1) or [1, 2]))
    >>> len(calls)
    0
    >>> r.table, r.table is r.table, len(calls)
    ([1, 2], True, 1)
    """

    def __init__(self, default: Any = _NO_DEFAULT):
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:  # the dataclass machinery asks for the default
            if self.default is _NO_DEFAULT:
                raise AttributeError(self.name)
            return self.default
        value = obj.__dict__[self.name]
        if type(value) is Deferred:
            value = value.build()
            obj.__dict__[self.name] = value
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value  # frozen dataclasses set fields in __init__ only


def unbuilt(obj: Any, name: str) -> Any:
    """A :class:`deferrable` field's stored value, without building it (to pass it on)."""
    return obj.__dict__[name]


def replace(obj: Any, **changes: Any) -> Any:
    """:func:`dataclasses.replace` that passes :class:`deferrable` fields on unbuilt."""
    kwargs = {f.name: obj.__dict__[f.name] for f in dataclasses.fields(obj) if f.init}
    return type(obj)(**{**kwargs, **changes})


class ResultMixin:
    """Mixin for frozen result dataclasses."""

    _frame_fields: ClassVar[tuple[str, ...]] = ()

    def __getstate__(self) -> dict[str, Any]:
        # build deferred fields: a pickled result carries values, not closures
        return {k: getattr(self, k) if type(v) is Deferred else v
                for k, v in self.__dict__.items()}

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
        import pandas as pd

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
        import pandas as pd

        data = self.to_dict()
        if not self.is_batch:
            return pd.DataFrame([data])
        n = max(np.size(v) for v in data.values() if np.ndim(v) > 0)
        return pd.DataFrame({k: np.asarray(v) if np.ndim(v) else np.full(n, v, dtype=object)
                             for k, v in data.items()})
