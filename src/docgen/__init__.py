"""docgen: one edition YAML in, the meeting report, press release and certificates out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("docgen")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0+unknown"
