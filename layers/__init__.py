"""Layer declarations, the registry, readers, loader and cache, fetch, import and stores."""
