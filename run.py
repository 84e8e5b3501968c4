"""Command line of the Peru early-childhood policy simulator (the commands are in cli/).

python run.py                         run the default scenario into output/
python run.py run SCENARIO.yaml       run a scenario (see --help for options)
python run.py bench                   speed and memory benchmark
python run.py dashboard               the Solara dashboard on http://localhost:8765
"""

from cli.app import app, start

__all__ = ["app", "start"]

if __name__ == "__main__":
    start()
