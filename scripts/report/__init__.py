"""The HTML report of scripts/report.py: data shaping (data), plotly figures (charts), page, CLI (cli).

Note: this package shares its name with the script scripts/report.py; `import report` finds this package
(a directory wins over a module of the same name on sys.path), and the script is only ever run as __main__.
"""
