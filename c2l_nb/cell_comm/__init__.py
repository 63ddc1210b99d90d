"Cell-cell communication helpers, at cell2location's import path: `from c2l_nb.cell_comm.around_target import ...`."
