"""One ComponentResource per concern; see infra/program.py for how they connect."""
