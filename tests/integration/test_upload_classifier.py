"""A generator with its own classifier through the home page: the form's fields, the
message saying which classifier colours the maps, refusals, and the explorer on it."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.by import By

from dashboard.urlstate import query_string
from tests.colour_models import COLOUR_NAMES, colour_classifier, colour_generator, save
from tests.integration.conftest import element, screenshot, severe_console_errors, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The .keras files a person would pick: a 32x32 RGB generator with its 3-class
    classifier, and a 28x28 grey generator (no classifier needed)."""
    import keras

    folder = tmp_path_factory.mktemp("picked")
    paths = {"rgb": folder / "rgb-gen.keras", "clf": folder / "rgb-classifier.keras",
             "grey": folder / "grey-gen.keras", "names": folder / "names.json"}  # fmt: skip
    save(colour_generator(2, (32, 32, 3)), paths["rgb"])
    save(colour_classifier((32, 32, 3), 3), paths["clf"])
    z = keras.Input((3,))
    grey = keras.Model(z, keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784, "tanh")(z)))
    save(grey, paths["grey"])
    paths["names"].write_text(json.dumps({"class_names": COLOUR_NAMES}))
    return paths


@pytest.fixture
def client(app_url):
    import dash

    return dash.get_app().server.test_client()


def _post(client, files, **fields):
    data = {k: (io.BytesIO(p.read_bytes()), p.name) for k, p in files.items()}
    data.update(fields)
    resp = client.post("/upload-generator", data=data, content_type="multipart/form-data")
    assert resp.status_code == 303
    return {k: v[0] for k, v in parse_qs(urlparse(resp.headers["Location"]).query).items()}


def _text(component) -> str:
    """The visible text of a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        return "".join(_text(c) for c in children)
    return _text(children)


def _listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_the_form_brings_a_classifier_and_its_names(client, files):
    from dashboard import registry
    from dashboard.pages.home import upload_box

    # The dataset choice is ignored when a classifier comes with the generator.
    outcome = _post(client, {"file": files["rgb"], "classifier": files["clf"]},
                    class_names="red\ngreen\nblue", dataset="fashion-mnist", prior="uniform")  # fmt: skip
    model_id = outcome["uploaded"]
    assert model_id in registry.model_ids()
    assert registry.get(model_id).class_names == COLOUR_NAMES
    text = _text(upload_box(uploaded=model_id))
    assert (
        f"Accepted: {model_id} — its maps are coloured by its own classifier: red, green, blue"
        in text
    )
    # names as a JSON text (a dropped .json file's text): the same model
    again = _post(client, {"file": files["rgb"], "classifier": files["clf"]},
                  class_names=files["names"].read_text())  # fmt: skip
    assert again == {"uploaded": model_id}


def test_the_forms_dataset_picks_the_bundled_classifier(client, files):
    from dashboard.pages.home import upload_box

    fashion = _post(client, {"file": files["grey"]}, dataset="fashion-mnist")["uploaded"]
    plain = _post(client, {"file": files["grey"]}, dataset="mnist")["uploaded"]
    assert fashion != plain
    assert "coloured by the bundled Fashion-MNIST classifier" in _text(upload_box(uploaded=fashion))
    assert "coloured by the bundled MNIST classifier" in _text(upload_box(uploaded=plain))


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"file": "rgb"}, "rgb-gen.keras makes 32x32x3 images; the bundled MNIST classifier takes "
                       "28x28x1: bring a classifier of your own for its images"),
     ({"file": "rgb", "classifier": "clf", "class_names": "red, green"},
      "it has 3 classes but 2 class names were given"),
     ({"file": "rgb", "classifier": "grey"}, "takes images (None, 3), but the generator makes (None, 32, 32, 3)"),
     ({"file": "grey", "class_names": "a, b"}, "class names need a classifier of your own"),
     ({"file": "rgb", "classifier": "names"}, "the classifier file: only Keras 3 '.keras' files"),
     ({"classifier": "clf"}, "choose a .keras file to upload"),
     ({"file": "rgb", "classifier": "clf", "class_names": "x" * 20000}, "more than 16384 characters")],
)  # fmt: skip
def test_refusals_show_the_reason_and_leave_nothing(client, files, fields, reason):
    from dashboard import registry
    from dashboard.pages.home import upload_box

    uploads = registry.SETTINGS.uploads
    before = _listing(uploads)
    picked = {k: files[v] for k, v in fields.items() if k in ("file", "classifier")}
    text = {k: v for k, v in fields.items() if k not in picked}
    outcome = _post(client, picked, **text)
    assert reason in outcome["upload_error"]
    assert f"Refused: {outcome['upload_error']}" in _text(upload_box(**outcome))
    assert _listing(uploads) == before


@pytest.mark.browser
def test_upload_with_its_own_classifier_in_the_browser_then_explore_it(driver, app_url, files):
    driver.get(app_url + "/")
    driver.get_log("browser")  # drop what earlier pages (and their servers) left
    frame = wait_for(lambda: driver.find_elements(By.ID, "upload-frame"), 30, message="form")[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", frame)
    driver.switch_to.frame(frame)
    element(driver, "#upload-file", clickable=False).send_keys(str(files["rgb"]))
    names = element(driver, "#upload-class-names")
    # A .json file dropped on the class-names field fills it with the file's text.
    driver.execute_script(
        "const dt = new DataTransfer();"
        "dt.items.add(new File([arguments[1]], 'names.json', {type: 'application/json'}));"
        "arguments[0].dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true,"
        " cancelable: true}));",
        names, files["names"].read_text(),
    )  # fmt: skip
    wait_for(lambda: '"red"' in names.get_attribute("value"), 10, message="dropped names")
    names.clear()
    names.send_keys("red\ngreen\nblue")
    dataset = driver.find_element(By.ID, "upload-dataset")
    assert dataset.is_enabled()
    element(driver, "#upload-classifier", clickable=False).send_keys(str(files["clf"]))
    assert not dataset.is_enabled()  # its own classifier colours the maps
    driver.switch_to.default_content()
    screenshot(driver, "home-upload-classifier-form")
    driver.switch_to.frame(frame)
    element(driver, "#upload-submit").click()
    driver.switch_to.default_content()
    message = wait_for(
        lambda: driver.find_element(By.ID, "upload-message").text, 60, message="upload outcome"
    )
    assert message.startswith("Accepted: upload-rgb-gen-"), message
    assert "its maps are coloured by its own classifier: red, green, blue" in message
    model_id = message.split()[1]
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'})",
        driver.find_element(By.ID, "upload-message"),
    )
    screenshot(driver, "home-upload-classifier")
    driver.find_element(By.LINK_TEXT, "explore it").click()
    wait_for(lambda: "z = (" in driver.find_element(By.ID, "explore-readout").text, 60,
             message="explorer on it")  # fmt: skip
    assert model_id in driver.find_element(By.ID, "explore-model").text  # the model menu
    assert "its own classifier" in driver.find_element(By.TAG_NAME, "body").text
    screenshot(driver, "explore-upload-classifier")
    # Its classifier names each colour's area: z0 drives red, z1 green, -(z0 + z1) blue.
    for z, name in (([0.9, -0.2], "red"), ([-0.2, 0.9], "green"), ([-0.7, -0.7], "blue")):
        driver.get(app_url + "/explore" + query_string({"model": model_id, "z": z}))
        wait_for(lambda name=name: f"→ {name} (p = " in
                 driver.find_element(By.ID, "explore-readout").text, 60,
                 message=f"the readout naming {name}")  # fmt: skip
    assert severe_console_errors(driver) == []
