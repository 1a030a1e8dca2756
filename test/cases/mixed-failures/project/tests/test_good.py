def test_good_scenario_still_built(good):
    assert good.acme.name == "Acme"
