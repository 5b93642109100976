"""The use cases the views share: the CLI commands, the Panel app, the PDF reports (and an HTTP API).

Each function gathers its inputs (through :mod:`areal.layers`), runs the analysis (:mod:`areal.geo`)
and returns results; no view owns them, and views keep only parsing and formatting. Modules:

* :mod:`areal.apps.usecases.account`: the land account, a proposal's account, a site's account;
* :mod:`areal.apps.usecases.conflicts`: conflicts of a proposal with the rule table;
* :mod:`areal.apps.usecases.indicators`: the indicator table;
* :mod:`areal.apps.usecases.suitability`: a suitability run with sites, area lost and sensitivity.
"""
