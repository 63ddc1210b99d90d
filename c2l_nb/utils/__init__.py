"Utilities, importable as in cell2location: `from c2l_nb.utils import select_slide`."
from .filtering import filter_genes
from ..plt import select_slide
