"""Where checkpoints appear: a GitHub dispatch client, the CI runner, and a `transformers`
Trainer callback. Imported only on demand: nothing here is loaded by the pytest plugin."""
