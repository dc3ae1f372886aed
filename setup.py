"""What pyproject.toml cannot say declaratively: the repository's top-level assets/ directory
ships inside the package as `dashboard.assets` (a package-dir mapping), beside the packages
found as usual, so that a new package needs no list to be kept."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["dashboard*", "geodata*", "layers*", "queries*"]),
        "dashboard.assets",
    ],
    package_dir={"dashboard.assets": "assets"},
)
