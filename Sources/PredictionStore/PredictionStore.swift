// PredictionStore module — see README.md Design notes.
