"Utilities, importable as in cell2location: `from c2l_nb.utils import select_slide`."
from .filtering import filter_genes
from ..plotting import select_slide

__all__ = ['filter_genes', 'select_slide']
