import pytest


@pytest.fixture
def store_dir(db, settings, tmp_path):
    """An empty analytics store and log directory for one test."""
    settings.DATA_DIR = tmp_path
    return tmp_path
