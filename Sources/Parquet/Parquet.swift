// Parquet module — see README.md Design notes.
