"""Hand-written project data: rule tables, suitability profiles, indicators, emission factors, test arenas."""
