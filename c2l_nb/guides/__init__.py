"Guides beyond the mean-field `c2l_nb.infer.Guide`: hierarchical (`c2l_nb.guides.hierarchical`) and amortised (`c2l_nb.guides.amortised`)."
# Hand-written shim: the submodules are exported from nbs/03e_guides_hierarchical.ipynb and nbs/03f_guides_amortised.ipynb
# and imported by name (e.g. `from c2l_nb.guides.amortised import AmortisedGuide`); importing this package loads neither.
