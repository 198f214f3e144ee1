"""app/training: corpus conversion and a smoke training run on a tiny invented fixture."""
