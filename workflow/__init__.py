"""cocrea's composition root: actions, the engine, governance, the CLI."""
