"The model classes under cell2location's import path: `from c2l_nb.models import RegressionModel, Cell2location`."
# Hand-written re-exports (lazy, so each model's module loads only when used).
import importlib as _importlib

_WHERE = {'RegressionModel': 'reference', 'Cell2location': 'spatial', 'CoLocatedGroupsSklearnNMF': 'colocation'}
__all__ = list(_WHERE)

def __getattr__(name):
    if name in _WHERE: return getattr(_importlib.import_module(f'c2l_nb.{_WHERE[name]}'), name)
    raise AttributeError(f"module 'c2l_nb.models' has no attribute {name!r}")
