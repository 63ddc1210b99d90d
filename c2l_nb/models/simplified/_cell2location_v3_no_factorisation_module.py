"cell2location's import path for the model without tissue zones (hand-written alias of `LocationModelNoZones`)."
from .variants import LocationModelNoZones
LocationModelMultiExperimentLocationBackgroundNormLevelGeneAlphaPyroModel = LocationModelNoZones
