"""Bring your own generator through the home page: accepted, refused, then explored."""

from __future__ import annotations

import io

import keras
import numpy as np
import pytest
from selenium.webdriver.common.by import By

from tests.integration.conftest import element, screenshot, severe_console_errors, wait_for

pytestmark = pytest.mark.slow


def _keras_bytes(tmp_path, latent_dim=3, out_shape=(28, 28, 1), name="mine.keras") -> bytes:
    z = keras.Input((latent_dim,))
    x = keras.layers.Dense(int(np.prod(out_shape)), activation="tanh")(z)
    model = keras.Model(z, keras.layers.Reshape(out_shape)(x))
    path = tmp_path / name
    model.save(path)
    return path.read_bytes()


@pytest.fixture
def client(app_url):
    import dash

    from dashboard.app import create_app  # noqa: F401 - app_url already configured the app

    return dash.get_app().server.test_client()


def test_valid_upload_is_stored_and_listed(client, tmp_path):
    from dashboard import registry

    data = _keras_bytes(tmp_path)
    resp = client.post("/upload-generator", data={"file": (io.BytesIO(data), "My Gen.keras")},
                       content_type="multipart/form-data")  # fmt: skip
    assert resp.status_code == 303 and "uploaded=upload-my-gen-" in resp.headers["Location"]
    model_id = resp.headers["Location"].split("uploaded=")[1]
    assert model_id in registry.model_ids()
    assert registry.root_for(model_id) == registry.SETTINGS.uploads
    assert registry.get(model_id).latent_dim == 3
    home = client.get(resp.headers["Location"])
    assert home.status_code == 200


def test_the_forms_prior_is_recorded(client, tmp_path):
    from urllib.parse import unquote_plus

    from dashboard import registry

    data = _keras_bytes(tmp_path, latent_dim=20)
    resp = client.post("/upload-generator", data={"file": (io.BytesIO(data), "n.keras"), "prior": "normal"},
                       content_type="multipart/form-data")  # fmt: skip
    model_id = resp.headers["Location"].split("uploaded=")[1]
    assert registry.get(model_id).prior.spec == "normal(0,1)"
    resp = client.post("/upload-generator", data={"file": (io.BytesIO(data), "n.keras"), "prior": "cauchy"},
                       content_type="multipart/form-data")  # fmt: skip
    assert "bad prior" in unquote_plus(resp.headers["Location"])


@pytest.mark.parametrize(
    ("make", "reason"),
    [(lambda t: _keras_bytes(t, out_shape=(32, 32, 1)), "bring a classifier of your own"),
     (lambda t: _keras_bytes(t, latent_dim=513), "2 <= d <= 512"),
     (lambda t: b"not a zip file", "not a Keras archive")],
)  # fmt: skip
def test_bad_uploads_are_refused_with_the_reason(client, tmp_path, make, reason):
    from urllib.parse import unquote_plus

    before = set((tmp_path / "x").glob("*"))
    resp = client.post("/upload-generator", data={"file": (io.BytesIO(make(tmp_path)), "g.keras")},
                       content_type="multipart/form-data")  # fmt: skip
    assert resp.status_code == 303
    assert reason in unquote_plus(resp.headers["Location"])
    assert set((tmp_path / "x").glob("*")) == before


def test_oversized_upload_is_refused(client):
    from gan_core.uploaded_generators import MAX_UPLOAD_BYTES

    big = io.BytesIO(b"PK" + b"\0" * (MAX_UPLOAD_BYTES + 128 * 1024))
    resp = client.post(
        "/upload-generator", data={"file": (big, "big.keras")}, content_type="multipart/form-data"
    )
    assert resp.status_code in (303, 413)
    if resp.status_code == 303:
        assert "limit" in resp.headers["Location"]


@pytest.mark.browser
def test_upload_in_the_browser_then_explore_it(driver, app_url, tmp_path):
    path = tmp_path / "browser-gen.keras"
    path.write_bytes(_keras_bytes(tmp_path, latent_dim=2, name="tmp.keras"))
    driver.get(app_url + "/")
    driver.get_log("browser")  # drop what earlier pages (and their servers) left
    frame = wait_for(
        lambda: driver.find_elements(By.ID, "upload-frame"), 30, message="upload form"
    )[0]
    driver.switch_to.frame(frame)
    wait_for(lambda: driver.find_elements(By.ID, "upload-file"), 30, message="file input")
    element(driver, "#upload-file", clickable=False).send_keys(str(path))
    element(driver, "#upload-submit").click()
    driver.switch_to.default_content()
    message = wait_for(
        lambda: driver.find_element(By.ID, "upload-message").text, 60, message="upload outcome"
    )
    assert message.startswith("Accepted: upload-browser-gen-")
    screenshot(driver, "home-upload")
    driver.find_element(By.LINK_TEXT, "explore it").click()
    wait_for(
        lambda: "z = (" in driver.find_element(By.ID, "explore-readout").text,
        60,
        message="explorer on it",
    )
    assert severe_console_errors(driver) == []
