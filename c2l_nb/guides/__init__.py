"Guides other than the mean-field `c2l_nb.infer.Guide`: `c2l_nb.guides.hierarchical` (cell2location's `AutoHierarchicalNormalMessenger`)."
# Hand-written: the submodules are imported by name (e.g. `from c2l_nb.guides.hierarchical import HierarchicalGuide`).
