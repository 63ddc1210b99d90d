"cell2location's import path for the model without gene sensitivity (hand-written alias of `LocationModelNoMg`)."
from .variants import LocationModelNoMg
LocationModelLinearDependentWMultiExperimentLocationBackgroundNormLevelNoMGPyroModel = LocationModelNoMg
