"""The experiment layer, apart from the simulation core.

Runs and executors, comparisons, sweeps, parameter draws, sensitivity, calibration,
validation, targets, trial replays and the benchmark. It drives the core (``model.model``,
``model.population``, ``model.dynamics``, ``model.agents``, ``model.services``,
``model.interventions``, ``model.results``) and never the other way round.
"""
