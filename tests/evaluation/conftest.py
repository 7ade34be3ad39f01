import pytest

from tests.evaluation.helpers import enrol, make_session, make_trainer


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Every test stores submission files in its own directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def trainer(db):
    return make_trainer()


@pytest.fixture
def session(trainer, branch):
    return make_session(trainers=[trainer], branch=branch)


@pytest.fixture
def enrolled(session, learner):
    enrol(session, learner)
    return learner
