"""The views: the ``areal`` command line, the Panel map app and the PDF reports."""
