"""Sub-commands of ``areal``: every module here attaches its commands to :data:`areal.apps.cli.main`.

One module per feature keeps the command line thin and lets features land independently.
"""
