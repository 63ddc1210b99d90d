__version__ = "0.1.0"

# Hand-written: importing c2l_nb is cheap and has no side effects; submodules and the few top-level names that
# cell2location exposes (`run_colocation`, `compute_weighted_average_around_target`) load on first use.
import importlib as _importlib

_SUBMODULES = {'io', 'hd', 'data', 'sim', 'datasets', 'elbo', 'infer', 'svi', 'registry', 'base', 'compat', 'guides', 'distributed', 'reference',
               'spatial_priors', 'loglik_genes', 'location_model', 'spatial', 'plotting', 'colocation',
               'colocation_pipeline', 'plt', 'models', 'utils', 'report', 'cli', 'cell_comm'}
_NAMES = {'run_colocation': 'colocation_pipeline', 'find_regions': 'colocation',
          'compute_weighted_average_around_target': 'cell_comm.around_target'}

def __getattr__(name):
    if name in _SUBMODULES: return _importlib.import_module(f'{__name__}.{name}')
    if name in _NAMES: return getattr(_importlib.import_module(f'{__name__}.{_NAMES[name]}'), name)
    raise AttributeError(f"module 'c2l_nb' has no attribute {name!r}")

def __dir__(): return sorted(set(globals()) | _SUBMODULES | set(_NAMES))
