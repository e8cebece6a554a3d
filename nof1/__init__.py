"""nof1: personal (N-of-1) trials — randomized blinded schedules, design-based analysis.

A research and self-tracking tool, not medical advice.

The public names of this namespace (``nof1.analyze``, ``nof1.PairedDesign``, ...)
are listed once, in ``__init__.pyi``, and each is imported on first use
(scientific-python SPEC 1, via ``lazy_loader``): ``import nof1`` and
``nof1 --help`` start without loading pandas, scipy, statsmodels or matplotlib.
"""

import pkgutil as _pkgutil

import lazy_loader as _lazy

__version__ = "0.1.0"

__getattr__, __dir__, _stub_names = _lazy.attach_stub(__name__, __file__)

# The stub also lists the subpackages, so that ``nof1.analysis`` works after a bare
# ``import nof1``; they are attributes, not part of the exported API.
_submodules = {module.name for module in _pkgutil.iter_modules(__path__)}
__all__ = ["__version__", *(name for name in _stub_names if name not in _submodules)]
