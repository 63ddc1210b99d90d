"The `c2l_nb` command (console script `c2l_nb=c2l_nb.cli:main`)."
# Hand-written shim: the command is defined, documented and tested in nbs/09_report.ipynb (`c2l_nb.report.main`).

def main(argv:list|None=None) -> int:
    "Run the `c2l_nb` command line; returns the exit status."
    from c2l_nb.report import main as _main
    return _main(argv)
