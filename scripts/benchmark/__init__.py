"""The benchmark behind scripts/bench.py, one job per module.

- options.py: the command line (flags, defaults, $BENCH_EVENTS);
- measure.py: running a child process while sampling its memory and the spill folder;
- dbt_results.py: per-model timings from dbt's run_results.json and manifest.json, model groups;
- reference.py: bench/reference.sql (statements, scope, run) and its comparison with the dbt marts;
- phases.py: the benchmark's phases in order (PIPELINE); a new phase is one function added there;
- report.py: the rich tables on stdout and the JSON results file.
"""
