"""Each app made in one process serves every page's callbacks."""


def test_a_second_app_in_the_same_process_gets_every_callback(test_checkpoints, tmp_path):
    from dashboard.app import create_app

    first = create_app(test_checkpoints, cache_dir=tmp_path / "a", grid_2d=8, cube_n=4)
    assert first.server.test_client().get("/").status_code == 200  # Dash sets up its callbacks
    second = create_app(test_checkpoints, cache_dir=tmp_path / "b", grid_2d=8, cube_n=4)
    client = second.server.test_client()
    assert client.get("/").status_code == 200
    assert len(first.callback_map) > 40
    assert set(second.callback_map) == set(first.callback_map)
    deps = client.get("/_dash-dependencies").get_json()
    assert len(deps) == len(first._callback_list)
