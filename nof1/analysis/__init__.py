"""Analysis of personal trials: period-level tests, day-level models, effect sizes, Bayes.

The names of this namespace are listed once, in ``__init__.pyi``, and each is imported
on first use (``lazy_loader``, as the top-level ``nof1`` namespace).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
