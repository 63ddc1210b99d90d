"cell2location's simplified spatial models (`Cell2location(..., model_class=...)`), under c2l_nb's names and cell2location's."
# Hand-written re-exports of `variants` (generated from nbs/05b_simplified.ipynb).
from .variants import LocationModelNoZones, LocationModelNoMg
from ._cell2location_v3_no_factorisation_module import LocationModelMultiExperimentLocationBackgroundNormLevelGeneAlphaPyroModel
from ._cell2location_v3_no_mg_module import LocationModelLinearDependentWMultiExperimentLocationBackgroundNormLevelNoMGPyroModel

__all__ = ['LocationModelNoZones', 'LocationModelNoMg',
           'LocationModelMultiExperimentLocationBackgroundNormLevelGeneAlphaPyroModel',
           'LocationModelLinearDependentWMultiExperimentLocationBackgroundNormLevelNoMGPyroModel']
