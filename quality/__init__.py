"""Data-quality contracts: pandera schemas, great-expectations suites, asset-check factories."""
