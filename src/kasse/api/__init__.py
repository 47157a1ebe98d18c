"""HTTP entrypoints: thin routes that parse, call a use case, and render."""
