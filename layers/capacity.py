"""Layer: capacity building — trainings held in each municipality and who took part."""

from layers.base import N_, Classes, Field, Layer, Measure
from queries.capacity import capacity_building

LAYER = Layer(
    id="capacity",
    title=N_("Capacity building"),
    description=N_(
        "Colour: people trained in the municipality by the 'as of' date — staff of the local "
        "self-government, NGOs and initiative groups. Oblast-wide trainings are counted "
        "separately in the tooltip."
    ),
    query=capacity_building,
    measures=(
        Measure(
            "participants",
            N_("Participants"),
            "participants",
            Classes((1, 20, 40, 60)),
            schemes=("natural", "quantiles", "equal", "fixed"),
        ),
        Measure("trainings", N_("Trainings held"), "trainings", Classes((1, 2, 3, 4))),
    ),
    tooltip=(
        Field("trainings", N_("Trainings held"), "int"),
        Field("lsg", N_("Local self-government staff"), "int"),
        Field("ngo", N_("NGO staff"), "int"),
        Field("initiative", N_("Initiative groups"), "int"),
        Field("women", N_("Women"), "int"),
        Field("oblast_trainings", N_("Oblast-wide trainings"), "int"),
    ),
    source=N_("Training reports of DPI"),
)
