// Diversity module — see README.md Design notes.
