"""Mesa's own tools drive the model unchanged: SolaraViz renders, steps and resets it (no browser needed here)."""

from __future__ import annotations

import ipyvuetify as v
import solara
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.solara_viz import ModelController

from simulation import CommunityModel


def test_solaraviz_renders_the_model():
    model = CommunityModel(rng=1, households=300, days=10)
    page = SolaraViz(model, components=[make_plot_component(["unmet_total", "hidden_total"])],
                     model_params={"households": {"type": "SliderInt", "value": 300, "label": "households",
                                                  "min": 300, "max": 3000, "step": 100}})
    box, _ = solara.render(page, handle_error=False)
    assert box is not None


def test_mesa_model_controller_steps_and_resets_with_new_parameters():
    model = solara.reactive(CommunityModel(rng=1, households=300, days=10))
    controller = ModelController(model, model_parameters={"households": 400},
                                 play_interval=solara.reactive(100), render_interval=solara.reactive(1),
                                 use_threads=solara.reactive(False))
    _, rc = solara.render(controller, handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.day == 1
    assert len(model.value.datacollector.get_model_vars_dataframe()) == 1
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value.day == 0
    assert model.value.config.households == 400  # the reset model took the controller's parameters
