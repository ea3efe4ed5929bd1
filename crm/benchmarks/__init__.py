"""Public benchmarks converted into our delivery layout (data shipped inside PyPI packages, no downloads)."""
