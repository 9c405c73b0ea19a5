"""Plans: the pure generator, and (next) the stored plans with review and start."""
