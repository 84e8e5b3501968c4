"""The command line (typer): ``python run.py <command>``.

One module per family of commands; each command parses and checks its options (bad input:
a message naming the option, the value and what is allowed, exit code 2, before any work),
calls one job of the analysis layer (``model/analysis``) and prints what it returns.
"""
