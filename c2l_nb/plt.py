"Spatial plots under cell2location's import path: `from c2l_nb.plt import plot_spatial` (defined in `c2l_nb.plotting`)."
# Hand-written shim: the functions are defined, documented and tested in nbs/02b_plotting.ipynb.
from .plotting import PALETTE, blend_colors, plot_spatial, scale_values, select_slide, spot_diameter

__all__ = ['PALETTE', 'blend_colors', 'plot_spatial', 'scale_values', 'select_slide', 'spot_diameter']
